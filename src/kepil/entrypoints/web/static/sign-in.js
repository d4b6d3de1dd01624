/*
 * The sign-in page: fetch a fresh challenge, have NCALayer sign it with the person's
 * authentication key, and post the CMS with the form. Every message shown is a translated
 * paragraph of the page itself (data-message), never text made here.
 */
(function () {
  "use strict";

  var form = document.getElementById("sign-in");
  if (!form || !window.kepilNCALayer) {
    return;
  }
  var status = document.getElementById("sign-in-status");
  var button = form.querySelector("button[type=submit]");

  function show(kind, detail) {
    var template = document.querySelector("[data-message='" + kind + "']");
    status.textContent = template ? template.textContent : kind;
    if (detail) {
      var more = document.createElement("span");
      more.className = "detail";
      more.textContent = " (" + detail + ")";
      status.appendChild(more);
    }
    status.className = kind === "working" ? "notice" : "error";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    show("working");
    var token = form.elements.csrf_token.value;
    fetch("/login/challenge", {
      method: "POST",
      headers: { "X-CSRF-Token": token },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) {
        throw Object.assign(new Error("challenge"), { kind: "no_challenge" });
      }
      return response.json();
    }).then(function (challenge) {
      return window.kepilNCALayer.sign(challenge.data_b64, {
        purpose: "auth",
        locale: document.documentElement.lang
      });
    }).then(function (cms) {
      form.elements.cms.value = cms;
      form.submit();
    }).catch(function (error) {
      button.disabled = false;
      show(error.kind || "no_challenge", error.kind === "failed" ? error.detail : "");
      button.focus();
    });
  });
}());
