// Start GOV.UK Frontend components on every page (loaded as a module, so CSP needs no inline code).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

// Text boxes marked data-character-count are GOV.UK character counts: the component finds its
// box by this class.
for (const box of document.querySelectorAll("textarea[data-character-count]")) {
  box.classList.add("govuk-js-character-count");
}

initAll();
