// Live recording on the supervision session page (DESIGN §4.3).
//
// Each autosaved field is sent to the API's one-field save, PATCH {field, value, version} to
// /api/v1/supervisions/{id}/ or /api/v1/case-discussions/{id}/ (the form's data-autosave-url;
// the page's session cookie and CSRF token authenticate it), a moment after typing pauses, when
// the field loses focus, and when the page is hidden. The page has no save protocol of its own:
// without JavaScript its forms post as ordinary forms. The rules that keep text safe:
//
// - "Saved at hh:mm:ss" is shown only from the API's reply, which it sends after the commit.
// - One request per version channel is in flight at a time (a session field is its own channel;
//   the fields of a case discussion share one, as they share one version); the newest value
//   waits its turn. A reply never replaces what is in the box.
// - If the connection drops, the text stays in the page, a "Not saved — reconnecting" banner
//   shows, saving is retried with backoff and as soon as the browser is back online, and leaving
//   the page asks first.
// - If someone else saved the same field since it was loaded (409 with current_value,
//   current_version and changed_by, their name), both versions are shown and the user chooses:
//   nothing is overwritten silently. A 409 without them is a record signed by both, now locked.
// - Text the API refuses (400 with messages by field name) shows its message by the field.
// - Note text is never written to localStorage, sessionStorage, IndexedDB or cookies: it lives
//   in the page and on the server, nowhere else (shared council laptops).

const DEBOUNCE_MS = 1500;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 15000;
const KEEPALIVE_LIMIT = 60000; // browsers refuse keepalive bodies over 64 KB in all
// Django REST framework's answer when the CSRF token no longer matches the session's.
const CSRF_REFUSED = /^CSRF Failed/;

function text(value) {
  return value === null || value === undefined ? "" : String(value);
}

function firstMessage(messages) {
  if (Array.isArray(messages)) return messages.length > 0 ? text(messages[0]) : "";
  return typeof messages === "string" ? messages : "";
}

// Who saved the other version: the conflict's `changed_by` (null when not known).
function changedBy(data) {
  const name = text(data && data.changed_by).trim();
  return name || "Someone else";
}

function formatTime(iso) {
  const when = iso ? new Date(iso) : new Date();
  const valid = Number.isNaN(when.getTime()) ? new Date() : when;
  return valid.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

class Field {
  constructor(form, element, channel) {
    this.form = form;
    this.name = element.dataset.field;
    this.channel = channel;
    this.url = form.dataset.autosaveUrl;
    this.record = form.dataset.autosaveRecord; // "supervision" or "case-discussion"
    this.label = element.dataset.label || this.name;
    this.elements = [element];
    this.kind = element.type === "radio" ? "radio" : element.type === "checkbox" ? "checkbox" : "text";
    this.editSeq = 0; // bumped by every edit
    this.savedSeq = 0; // the newest edit the server confirmed
    this.rejectedSeq = -1; // an edit the server refused as invalid: not retried until edited
    this.blocked = false; // waiting for the user to resolve a conflict
    this.timer = null;
    this.unconfirmed = []; // values sent whose fate is unknown (the connection failed)
    this.baseValue = null; // the value the server holds, as far as we know
    const group = form.querySelector(`[data-field-group="${this.domId()}"]`);
    this.group = group;
    this.errorElement = group ? group.querySelector("[data-error-for]") : null;
    this.conflictSlot = group ? group.querySelector("[data-conflict-slot]") : null;
  }

  domId() {
    return this.elements[0].id; // for radios, the first one carries the field's id
  }

  value() {
    if (this.kind === "radio") {
      const checked = this.elements.find((element) => element.checked);
      return checked ? checked.value : "";
    }
    if (this.kind === "checkbox") {
      return this.elements[0].checked;
    }
    return this.elements[0].value;
  }

  setValue(value) {
    if (this.kind === "radio") {
      for (const element of this.elements) element.checked = element.value === text(value);
    } else if (this.kind === "checkbox") {
      this.elements[0].checked = value === true || value === "true";
    } else {
      this.elements[0].value = text(value);
    }
  }

  display(value) {
    if (this.kind === "checkbox") return value === true || value === "true" ? "Yes" : "No";
    return text(value) || "(empty)";
  }

  isDirty() {
    return this.editSeq > this.savedSeq;
  }

  // The API answers a save with the whole record: a supervision has a version per section,
  // a case discussion one version for all its fields.
  savedVersion(data) {
    const version = this.record === "case-discussion" ? data.version : data.section_versions?.[this.name];
    return Number.isInteger(version) ? version : null;
  }

  // A 400's message for this field: under its name, or under the name of the part of the
  // request that was wrong.
  refusal(data) {
    for (const key of [this.name, "value", "version", "field", "non_field_errors", "detail"]) {
      const message = firstMessage(data[key]);
      if (message) return message;
    }
    return "This could not be saved.";
  }

  disable() {
    for (const element of this.elements) {
      if (this.kind === "text") element.readOnly = true;
      else element.disabled = true;
    }
  }
}

class Channel {
  constructor(name, versionInput) {
    this.name = name;
    this.versionInput = versionInput;
    this.version = versionInput ? Number.parseInt(versionInput.value, 10) || 0 : 0;
    this.queue = []; // fields waiting to be sent, oldest first
    this.inFlight = null;
    this.requestSeq = 0;
    this.lastApplied = 0;
    this.failures = 0;
    this.retryTimer = null;
  }

  setVersion(version) {
    this.version = version;
    if (this.versionInput) this.versionInput.value = String(version);
  }

  waitingToRetry() {
    return this.retryTimer !== null;
  }
}

class Autosave {
  constructor(root) {
    this.root = root;
    this.fields = [];
    this.channels = new Map();
    this.lastSavedAt = null;
    this.locked = false;
    this.signedOut = false;
    this.keepalive = false;
    this.settleWaiters = [];
    this.csrfToken = this.findToken(document);
    this.status = root.querySelector("[data-autosave-status]");
    this.bar = root.querySelector("[data-autosave-bar]");
    this.problem = root.querySelector("[data-autosave-problem]");
    this.lockedBanner = root.querySelector("[data-autosave-locked]");
    this.collectFields();
    if (this.fields.length === 0) return;
    if (this.bar) this.bar.hidden = false;
    this.listen();
  }

  findToken(doc) {
    const input = doc.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  collectFields() {
    for (const form of this.root.querySelectorAll("form[data-autosave-form]")) {
      const byKey = new Map();
      for (const element of form.querySelectorAll("[data-autosave]")) {
        const channelName = element.dataset.channel;
        const key = `${channelName}|${element.dataset.field}`;
        if (!this.channels.has(channelName)) {
          const versionInput = form.querySelector(`[data-version-for="${channelName}"]`);
          this.channels.set(channelName, new Channel(channelName, versionInput));
        }
        if (byKey.has(key)) {
          byKey.get(key).elements.push(element);
          continue;
        }
        const field = new Field(form, element, this.channels.get(channelName));
        byKey.set(key, field);
        this.fields.push(field);
      }
      for (const field of byKey.values()) {
        field.baseValue = text(field.value());
        // A plain form post met a conflict: the box holds the user's text, not yet saved.
        if (field.conflictSlot && field.conflictSlot.querySelector(".app-conflict")) {
          field.editSeq = 1;
          field.blocked = true;
        }
      }
    }
  }

  listen() {
    for (const field of this.fields) {
      for (const element of field.elements) {
        if (field.kind === "text") {
          element.addEventListener("input", () => this.edited(field, false));
          element.addEventListener("blur", () => this.saveNow(field));
          element.addEventListener("change", () => this.saveNow(field));
        } else {
          element.addEventListener("change", () => this.edited(field, true));
        }
      }
    }
    for (const form of this.root.ownerDocument.querySelectorAll("form")) {
      form.addEventListener("submit", (event) => this.submitted(event, form));
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flushAll(true);
    });
    window.addEventListener("pagehide", () => this.flushAll(true));
    window.addEventListener("online", () => this.retryNow());
    window.addEventListener("offline", () => {
      if (this.hasUnsaved()) this.showProblem("offline");
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.hasUnsaved()) {
        event.preventDefault();
        event.returnValue = ""; // older browsers need it set to show the warning
      }
    });
  }

  // --- edits ------------------------------------------------------------------------------

  edited(field, immediately) {
    if (this.locked) return;
    field.editSeq += 1;
    this.clearError(field);
    clearTimeout(field.timer);
    if (immediately) {
      this.enqueue(field);
    } else {
      field.timer = setTimeout(() => this.enqueue(field), DEBOUNCE_MS);
    }
    this.updateStatus();
  }

  saveNow(field) {
    clearTimeout(field.timer);
    if (field.isDirty()) this.enqueue(field);
  }

  flushAll(keepalive) {
    this.keepalive = keepalive;
    for (const field of this.fields) this.saveNow(field);
    this.keepalive = false;
  }

  retryNow() {
    for (const channel of this.channels.values()) {
      if (channel.waitingToRetry()) {
        clearTimeout(channel.retryTimer);
        channel.retryTimer = null;
        this.pump(channel);
      }
    }
    for (const field of this.fields) this.saveNow(field);
  }

  enqueue(field) {
    if (this.locked || field.blocked || !field.isDirty()) return;
    if (field.editSeq === field.rejectedSeq) return;
    const channel = field.channel;
    if (!channel.queue.includes(field)) channel.queue.push(field);
    this.pump(channel);
  }

  // --- requests ---------------------------------------------------------------------------

  pump(channel) {
    if (channel.inFlight || channel.waitingToRetry() || this.locked) {
      this.checkSettled();
      return;
    }
    while (channel.queue.length > 0) {
      const field = channel.queue.shift();
      if (field.blocked || !field.isDirty() || field.editSeq === field.rejectedSeq) continue;
      this.send(channel, field);
      return;
    }
    this.checkSettled();
  }

  send(channel, field) {
    const value = field.value();
    const request = {
      id: (channel.requestSeq += 1),
      field,
      seq: field.editSeq,
      value,
    };
    channel.inFlight = request;
    const body = JSON.stringify({ field: field.name, value, version: channel.version });
    this.updateStatus();
    fetch(field.url, {
      method: "PATCH",
      credentials: "same-origin",
      redirect: "manual",
      keepalive: this.keepalive && body.length < KEEPALIVE_LIMIT,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": this.csrfToken,
        "X-Requested-With": "XMLHttpRequest",
      },
      body,
    })
      .then((response) => this.answered(channel, request, response))
      .catch(() => this.failed(channel, request, "offline"));
  }

  async answered(channel, request, response) {
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      this.failed(channel, request, "offline"); // worth trying again shortly
      return;
    }
    const json = (response.headers.get("Content-Type") || "").includes("application/json");
    let data = {};
    if (json) {
      try {
        data = (await response.json()) || {};
      } catch {
        this.failed(channel, request, "offline");
        return;
      }
    }
    const staleToken = response.status === 403 && (!json || CSRF_REFUSED.test(text(data.detail)));
    if (response.type === "opaqueredirect" || response.status === 401 || staleToken) {
      // Signed out (the API answers 401), or the form token went stale with a new sign-in.
      await this.refreshToken();
      this.failed(channel, request, this.signedOut ? "signed-out" : "offline");
      return;
    }
    const field = request.field;
    const version = response.ok ? field.savedVersion(data) : null;
    if (response.ok && version === null) {
      this.failed(channel, request, "offline"); // not an answer from the API's save
      return;
    }
    if (response.status === 404) {
      data = { detail: "This record is no longer available to you, so this was not saved." };
    }
    channel.inFlight = null;
    if (request.id < channel.lastApplied) {
      this.pump(channel); // an older reply arriving late: never let it win
      return;
    }
    channel.lastApplied = request.id;
    channel.failures = 0;
    this.signedOut = false;
    if (response.ok) {
      channel.setVersion(version);
      field.baseValue = text(request.value);
      field.unconfirmed = [];
      if (request.seq > field.savedSeq) field.savedSeq = request.seq;
      this.lastSavedAt = data.updated_at || new Date().toISOString();
      if (field.isDirty()) this.enqueue(field); // typed on while the request was out
    } else if (response.status === 409 && data.current_version === undefined) {
      this.lock(data.detail);
    } else if (response.status === 409) {
      this.conflicted(field, request, data);
    } else {
      field.rejectedSeq = field.editSeq;
      this.showError(field, field.refusal(data));
    }
    this.hideProblemIfClear();
    this.updateStatus();
    this.pump(channel);
  }

  failed(channel, request, reason) {
    channel.inFlight = null;
    const field = request.field;
    field.unconfirmed.push(text(request.value));
    if (!channel.queue.includes(field)) channel.queue.unshift(field);
    channel.failures += 1;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** (channel.failures - 1), MAX_RETRY_MS);
    clearTimeout(channel.retryTimer);
    channel.retryTimer = setTimeout(() => {
      channel.retryTimer = null;
      this.pump(channel);
    }, delay);
    this.showProblem(reason);
    this.updateStatus();
    this.checkSettled();
  }

  async refreshToken() {
    // Signing in again (in another tab) renews the form token; read the new one from the page.
    try {
      const response = await fetch(this.root.dataset.sessionUrl, {
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) {
        this.signedOut = true;
        return;
      }
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = this.findToken(page);
      this.signedOut = !token;
      if (token) this.csrfToken = token;
    } catch {
      this.signedOut = false; // no connection: the retry will tell
    }
  }

  // --- conflicts, locks, errors -----------------------------------------------------------

  conflicted(field, request, data) {
    const theirs = text(data.current_value);
    if (theirs === field.baseValue || field.unconfirmed.includes(theirs)) {
      // Nobody else changed this field: the version moved for another field of the same
      // discussion, or for our own save whose reply was lost. Save again on the new version.
      field.channel.setVersion(data.current_version);
      field.baseValue = theirs;
      field.unconfirmed = [];
      this.enqueue(field);
      return;
    }
    field.blocked = true;
    field.conflict = data;
    this.showConflict(field, data, request.value);
  }

  showConflict(field, data, mine) {
    const slot = field.conflictSlot;
    if (!slot) return;
    slot.replaceChildren();
    const panel = document.createElement("div");
    panel.className = "govuk-error-summary app-conflict";
    panel.tabIndex = -1;
    const alert = document.createElement("div");
    alert.setAttribute("role", "alert");
    const title = document.createElement("h3");
    title.className = "govuk-error-summary__title";
    title.textContent = `${changedBy(data)} changed “${field.label}” while you were editing`;
    const body = document.createElement("div");
    body.className = "govuk-error-summary__body";
    const intro = document.createElement("p");
    intro.className = "govuk-body";
    intro.textContent = "Nothing has been overwritten, and your text is still in the box. Choose which version to keep.";
    const versions = document.createElement("div");
    versions.className = "app-conflict__versions";
    versions.append(
      this.version("Their version", field.display(data.current_value), "data-conflict-theirs"),
      this.version("Your version", field.display(mine), "data-conflict-mine"),
    );
    const buttons = document.createElement("div");
    buttons.className = "govuk-button-group";
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "govuk-button";
    keep.textContent = "Keep mine";
    keep.addEventListener("click", () => this.keepMine(field));
    const use = document.createElement("button");
    use.type = "button";
    use.className = "govuk-button govuk-button--secondary";
    use.textContent = "Use theirs";
    use.addEventListener("click", () => this.useTheirs(field));
    buttons.append(keep, use);
    body.append(intro, versions, buttons);
    alert.append(title, body);
    panel.append(alert);
    slot.append(panel);
    if (field.group) field.group.classList.add("govuk-form-group--error");
    this.updateStatus();
  }

  version(heading, value, attribute) {
    const wrapper = document.createElement("div");
    wrapper.className = "app-conflict__version";
    const title = document.createElement("h4");
    title.className = "govuk-heading-s";
    title.textContent = heading;
    const content = document.createElement("div");
    content.className = "app-record-text app-conflict__text";
    content.setAttribute(attribute, "");
    content.textContent = value;
    wrapper.append(title, content);
    return wrapper;
  }

  resolve(field) {
    field.blocked = false;
    if (field.conflictSlot) field.conflictSlot.replaceChildren();
    if (field.group && !field.errorElement?.textContent.trim()) {
      field.group.classList.remove("govuk-form-group--error");
    }
  }

  keepMine(field) {
    const data = field.conflict;
    if (data) {
      field.channel.setVersion(data.current_version);
      field.baseValue = text(data.current_value);
    }
    field.conflict = null;
    this.resolve(field);
    field.editSeq += 1;
    this.enqueue(field);
    field.elements[0].focus();
  }

  useTheirs(field) {
    const data = field.conflict;
    if (data) {
      field.setValue(data.current_value);
      field.channel.setVersion(data.current_version);
      field.baseValue = text(data.current_value);
    }
    field.conflict = null;
    field.savedSeq = field.editSeq;
    this.resolve(field);
    this.updateStatus();
    field.elements[0].focus();
  }

  lock(message) {
    this.locked = true;
    for (const field of this.fields) {
      clearTimeout(field.timer);
      field.disable();
    }
    if (this.lockedBanner) {
      const heading = this.lockedBanner.querySelector("[data-autosave-locked-text]");
      if (heading && message) heading.textContent = message;
      this.lockedBanner.hidden = false;
    }
    this.updateStatus();
  }

  showError(field, message) {
    if (!field.errorElement) return;
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = "Error:";
    field.errorElement.replaceChildren(hidden, ` ${message}`);
    field.errorElement.hidden = false;
    if (field.group) field.group.classList.add("govuk-form-group--error");
  }

  clearError(field) {
    if (!field.errorElement || field.errorElement.hidden) return;
    field.errorElement.hidden = true;
    field.errorElement.replaceChildren();
    if (field.group && !field.blocked) field.group.classList.remove("govuk-form-group--error");
  }

  // --- what the page says -----------------------------------------------------------------

  hasUnsaved() {
    if (this.fields.some((field) => field.isDirty())) return true;
    return [...this.channels.values()].some((channel) => channel.inFlight !== null);
  }

  showProblem(reason) {
    if (!this.problem) return;
    const heading = this.problem.querySelector("[data-autosave-problem-heading]");
    const detail = this.problem.querySelector("[data-autosave-problem-text]");
    if (reason === "signed-out") {
      heading.textContent = "Not saved — you have been signed out";
      detail.textContent =
        "Your text is still on this page. Sign in again in a new tab and keep this page open: it will be saved then.";
    } else {
      heading.textContent = "Not saved — reconnecting";
      detail.textContent =
        "Your text is still on this page. Keep the page open: it will be saved when the connection returns.";
    }
    this.problem.hidden = false;
  }

  hideProblemIfClear() {
    if (!this.problem) return;
    const failing = [...this.channels.values()].some((channel) => channel.failures > 0);
    if (!failing) this.problem.hidden = true;
  }

  updateStatus() {
    if (!this.status) return;
    let message;
    if (this.locked) {
      message = "Not saved: the record is locked.";
    } else if (this.fields.some((field) => field.blocked)) {
      message = "Not saved: choose which version to keep.";
    } else if ([...this.channels.values()].some((channel) => channel.failures > 0)) {
      message = "Not saved — reconnecting…";
    } else if ([...this.channels.values()].some((channel) => channel.inFlight)) {
      message = "Saving…";
    } else if (this.fields.some((field) => field.isDirty())) {
      message = this.fields.some((field) => field.isDirty() && field.rejectedSeq === field.editSeq)
        ? "Not saved: check the message by the field."
        : "Unsaved changes";
    } else if (this.lastSavedAt) {
      message = `Saved at ${formatTime(this.lastSavedAt)}`;
    } else {
      return;
    }
    if (this.status.textContent !== message) this.status.textContent = message;
  }

  // --- other forms on the page ------------------------------------------------------------

  submitted(event, form) {
    if (form.hasAttribute("data-autosave-form")) {
      // With JavaScript, a section's Save button saves it in place.
      event.preventDefault();
      for (const field of this.fields) {
        if (field.form !== form) continue;
        if (field.blocked) {
          this.keepMine(field);
        } else if (field.isDirty()) {
          field.rejectedSeq = -1;
          this.saveNow(field);
        }
      }
      return;
    }
    if (form.dataset.autosaveFlushed === "yes" || !this.hasUnsaved()) return;
    // Another form (add an action, sign, sign out...) navigates away: save the notes first, and
    // send the form only once nothing is left unsaved.
    event.preventDefault();
    this.flushAll(false);
    this.whenSettled().then(() => {
      if (this.hasUnsaved()) {
        this.showProblem(this.signedOut ? "signed-out" : "offline");
        this.updateStatus();
        return;
      }
      form.dataset.autosaveFlushed = "yes";
      if (typeof form.requestSubmit === "function") form.requestSubmit(event.submitter || undefined);
      else form.submit();
    });
  }

  whenSettled() {
    return new Promise((resolve) => {
      this.settleWaiters.push(resolve);
      this.checkSettled();
    });
  }

  checkSettled() {
    if (this.settleWaiters.length === 0) return;
    const busy = [...this.channels.values()].some(
      (channel) => channel.inFlight !== null || (channel.queue.length > 0 && !channel.waitingToRetry() && !this.locked),
    );
    if (busy) return;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function setUpPrintButton() {
  for (const button of document.querySelectorAll("[data-print-button]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

const page = document.querySelector("[data-session-page]");
if (page) {
  window.oversightAutosave = new Autosave(page);
}
setUpPrintButton();
