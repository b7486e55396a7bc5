// Turns on the NHS.UK design system's behaviours (menu toggle, skip link,
// error summary focus).  The pages work without it.
import { initAll } from "../../wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js";
import { initPickers } from "./picker.js";
import { initWideTables } from "./tables.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();
initPickers();
initWideTables();
