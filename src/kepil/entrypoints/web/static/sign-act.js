/*
 * A page whose form sends one signed act (withdrawing, a complaint): sign-and-send.js does
 * the work; no files travel with the act.
 */
(function () {
  "use strict";

  if (!window.kepilSignAndSend || !window.kepilNCALayer) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.sign-act"), function (form) {
    window.kepilSignAndSend.attach(form, {});
  });
}());
