/*
 * kepil's client of NCALayer, the NCA's signing application (wss://127.0.0.1:13579/).
 *
 * It speaks the `kz.gov.pki.knca.basics` module's `sign` request, as egov.kz does: NCALayer
 * shows its own dialog, the person chooses a storage and a key (filtered by the key purpose
 * given here), and NCALayer answers with a CMS. `kepil ncalayer` is a stand-in that speaks the
 * same protocol for development and tests; this file works unchanged with the real one.
 *
 * window.kepilNCALayer.sign(dataBase64, {purpose: "auth" | "sign", iin, locale})
 *   resolves with the CMS (base64) or rejects with an Error whose `kind` is
 *   "not_running" (no NCALayer on this computer), "cancelled" (the person closed the dialog,
 *   which is also all NCALayer says when the storage held no key the filters allow) or "failed" (NCALayer answered with an error; `detail` says what it said).
 */
(function () {
  "use strict";

  var ADDRESS = "wss://127.0.0.1:13579/";
  // Extended key usages NCALayer filters the keys by. Signing: e-mail protection, which every
  // NCA signing key carries. Signing in: none, because the NCA's GOST 2015 keys (2022 on) sign
  // in without clientAuth; a clientAuth filter would hide them. The service tells the keys apart
  // (docs/eds-trust.md) and names the right one when the person chooses a signing-only key.
  var PURPOSES = {
    auth: [],
    sign: ["1.3.6.1.5.5.7.3.4"]
  };
  var STORAGES = ["PKCS12", "AKKaztokenStore", "AKKZIDCardStore", "AKEToken72KStore",
    "AKJaCartaStore"];
  var CONNECT_TIMEOUT_MS = 5000;

  function failure(kind, detail) {
    var error = new Error(kind + (detail ? ": " + detail : ""));
    error.kind = kind;
    error.detail = detail || "";
    return error;
  }

  function request(dataBase64, options) {
    var signerParams = { extKeyUsageOids: PURPOSES[options.purpose] || [], chain: [] };
    if (options.iin) {
      signerParams.iin = options.iin;
    }
    return {
      module: "kz.gov.pki.knca.basics",
      method: "sign",
      args: {
        allowedStorages: STORAGES,
        format: "cms",
        data: dataBase64,
        signingParams: { decode: true, encapsulate: true, digested: false, tsaProfile: null },
        signerParams: signerParams,
        locale: options.locale || "ru"
      }
    };
  }

  // The first message NCALayer sends is its greeting ({"result": {"version": ...}}); the
  // request goes after it, and the next message is the answer.
  function sign(dataBase64, options) {
    options = options || {};
    return new Promise(function (resolve, reject) {
      var socket;
      var greeted = false;
      var settled = false;
      function settle(outcome, value) {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        try { socket.close(); } catch (ignored) { /* already closed */ }
        (outcome === "ok" ? resolve : reject)(value);
      }
      try {
        socket = new WebSocket(ADDRESS);
      } catch (error) {
        reject(failure("not_running", String(error)));
        return;
      }
      var timer = setTimeout(function () {
        if (!greeted) {
          settle("error", failure("not_running", "no answer"));
        }
      }, CONNECT_TIMEOUT_MS);
      socket.onerror = function () {
        settle("error", failure(greeted ? "failed" : "not_running", "connection error"));
      };
      socket.onclose = function () {
        settle("error", failure(greeted ? "failed" : "not_running", "connection closed"));
      };
      socket.onmessage = function (event) {
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          settle("error", failure("failed", "unreadable answer"));
          return;
        }
        if (!greeted) {
          greeted = true;
          socket.send(JSON.stringify(request(dataBase64, options)));
          return;
        }
        if (message.status === true) {
          var result = message.body && message.body.result;
          if (Array.isArray(result)) {
            result = result[0];
          }
          if (typeof result === "string" && result) {
            // The real NCALayer armours the CMS ("-----BEGIN CMS-----" ...): keep the base64.
            settle("ok", result.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, "")
              .replace(/\s+/g, ""));
          } else {
            settle("error", failure("cancelled"));
          }
          return;
        }
        var detail = [message.code, message.message, message.details].filter(Boolean).join(" ");
        settle("error", failure("failed", detail));
      };
    });
  }

  function utf8ToBase64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary);
  }

  window.kepilNCALayer = { sign: sign, utf8ToBase64: utf8ToBase64, address: ADDRESS };
}());
