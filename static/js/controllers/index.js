// Every Stimulus controller of the console, by identifier.
import AlertsController from "./alerts_controller.js";
import ComposerController from "./composer_controller.js";
import ComposerDialogController from "./composer_dialog_controller.js";
import ComposerImageController from "./composer_image_controller.js";
import ConversationController from "./conversation_controller.js";
import PresenceController from "./presence_controller.js";
import QueueController from "./queue_controller.js";
import ShortcutsController from "./shortcuts_controller.js";
export const controllers = {
  alerts: AlertsController,
  composer: ComposerController,
  "composer-dialog": ComposerDialogController,
  "composer-image": ComposerImageController,
  conversation: ConversationController,
  presence: PresenceController,
  queue: QueueController,
  shortcuts: ShortcutsController,
};
