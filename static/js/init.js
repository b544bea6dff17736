// Start GOV.UK Frontend components on every page (loaded as a module, so CSP needs no inline code).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
