// The send confirmation: a modal <dialog> opened as soon as the server's fragment arrives.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

export default class extends Controller {
  connect() {
    if (!this.element.open) this.element.showModal();
  }

  close() {
    this.element.close();
    this.element.remove();
  }
}
