// Every Stimulus controller of the console, by identifier.
import PresenceController from "./presence_controller.js";
import QueueController from "./queue_controller.js";
import ShortcutsController from "./shortcuts_controller.js";
export const controllers = {
  presence: PresenceController,
  queue: QueueController,
  shortcuts: ShortcutsController,
};
