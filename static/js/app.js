// Entry point: htmx for round trips, Stimulus controllers for the few interactive parts, and the
// live stream.
import htmx from "../vendor/htmx-2.0.8.esm.js";
import { Application } from "../vendor/stimulus-3.2.2.js";
import { controllers } from "./controllers/index.js";
import { startLive } from "./live.js";

window.htmx = htmx;
const application = Application.start();
for (const [name, controller] of Object.entries(controllers)) {
  application.register(name, controller);
}
startLive();
