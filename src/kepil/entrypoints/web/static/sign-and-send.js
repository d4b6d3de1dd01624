/*
 * Sign an act with NCALayer's signing key and send it: the page's form asks the server for the
 * exact bytes to sign (data-prepare), NCALayer signs them, the CMS goes to data-send. The
 * server answers {location} (go there) or {problems: [{field, message}]} in the person's
 * language; each problem is placed beside its control and listed in the summary at the top.
 * Every word shown is a translated paragraph of the page itself (data-message).
 *
 * window.kepilSignAndSend.attach(form, hooks)
 *   hooks.prepare(form) -> Promise  work before the fields are read (filing: check and hash files)
 *   hooks.addToSend(body)           add to the multipart body sent with the CMS (filing: files)
 *   hooks.controlFor(field)         the id of the control a server field name concerns
 */
(function () {
  "use strict";

  function word(kind) {
    var found = document.querySelector("[data-message='" + kind + "']");
    return found ? found.textContent.trim() : kind;
  }

  function status(kind, detail) {
    var region = document.getElementById("sign-status");
    if (!region) {
      return;
    }
    region.textContent = word(kind);
    if (detail) {
      var more = document.createElement("span");
      more.className = "detail";
      more.textContent = " (" + detail + ")";
      region.appendChild(more);
    }
    var working = ["checking", "hashing", "signing", "sending", "sent"].indexOf(kind) >= 0;
    region.className = "sign-status " + (working ? "notice" : "error");
  }

  function clear(form) {
    var placed = form.querySelectorAll(".js-problem");
    for (var i = 0; i < placed.length; i += 1) {
      var control = document.getElementById(placed[i].getAttribute("data-for"));
      if (control) {
        control.removeAttribute("aria-invalid");
        var kept = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
          return id && id !== placed[i].id;
        });
        if (kept.length) {
          control.setAttribute("aria-describedby", kept.join(" "));
        } else {
          control.removeAttribute("aria-describedby");
        }
      }
      placed[i].parentNode.removeChild(placed[i]);
    }
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.hidden = true;
      summary.querySelector("ul").textContent = "";
    }
  }

  // One problem beside its control (or only in the summary when no control is named).
  function place(problem, severity, controlFor) {
    var id = controlFor ? controlFor(problem.field) : problem.field;
    var control = id ? document.getElementById(id) : null;
    if (control) {
      var messageId = id + "-js-" + severity;
      var note = document.getElementById(messageId);
      if (!note) {
        note = document.createElement("p");
        note.id = messageId;
        note.className = severity + " js-problem";
        note.setAttribute("data-for", id);
        var label = document.createElement("strong");
        label.textContent = word(severity + "_label");
        note.appendChild(label);
        control.parentNode.insertBefore(note, control);
        var described = control.getAttribute("aria-describedby");
        control.setAttribute("aria-describedby", described ? described + " " + messageId : messageId);
      }
      note.appendChild(document.createTextNode(" " + problem.message));
      if (severity === "error") {
        control.setAttribute("aria-invalid", "true");
      }
    }
    if (severity !== "error") {
      return;
    }
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    var item = document.createElement("li");
    if (control) {
      var link = document.createElement("a");
      link.href = "#" + id;
      link.textContent = problem.message;
      item.appendChild(link);
    } else {
      item.textContent = problem.message;
    }
    summary.querySelector("ul").appendChild(item);
    summary.hidden = false;
  }

  // The summary lists the problems in the order of their fields on the page, not the order
  // the service checked them in; problems without a control keep their place at the top.
  function inPageOrder(problems, controlFor) {
    var controls = problems.map(function (problem) {
      var id = controlFor ? controlFor(problem.field) : problem.field;
      return id ? document.getElementById(id) : null;
    });
    return problems.map(function (problem, index) {
      return { problem: problem, control: controls[index], index: index };
    }).sort(function (a, b) {
      if (!a.control || !b.control || a.control === b.control) {
        return (a.control ? 1 : 0) - (b.control ? 1 : 0) || a.index - b.index;
      }
      return a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING
        ? -1 : 1;
    }).map(function (entry) { return entry.problem; });
  }

  function showProblems(form, problems, controlFor) {
    inPageOrder(problems, controlFor).forEach(function (problem) {
      place(problem, "error", controlFor);
    });
    status("problems");
    var summary = document.getElementById("error-summary");
    if (summary && !summary.hidden) {
      summary.focus();
    }
  }

  function refused(problems) {
    return Object.assign(new Error("refused"), { kind: "problems", problems: problems });
  }

  function answer(response) {
    // An ended session sends the request on to the sign-in page: say so, keep what was typed.
    if (response.redirected && response.url.indexOf("/login") >= 0) {
      throw Object.assign(new Error("session"), { kind: "session_ended" });
    }
    return response.json().catch(function () {
      return {};
    }).then(function (body) {
      if (response.ok && (body.data_b64 !== undefined || body.location)) {
        return body;
      }
      if (body.problems && body.problems.length) {
        throw refused(body.problems);
      }
      // Not an answer of this service's JSON (a refused token, a page in between).
      throw Object.assign(new Error("refused"), { kind: "refused" });
    });
  }

  function fieldsOf(form) {
    var fields = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") {
        fields.append(name, value);
      }
    });
    return fields;
  }

  function attach(form, hooks) {
    hooks = hooks || {};
    var token = form.elements.csrf_token.value;
    var busy = false;
    // The last bytes signed and their CMS: a retry of the same bytes (the answer was lost)
    // sends the same signature, so the service recognises the request and files it once.
    var signed = { data: null, cms: null };
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-default")) {
        // Enter in a field: with the script on, the form is checked and sent only by its
        // buttons, so a stray Enter neither posts the page (losing the chosen files) nor adds
        // a block.
        event.preventDefault();
        return;
      }
      if (!event.submitter || !event.submitter.hasAttribute("data-sign")) {
        return; // every other button posts the form as it does without JavaScript
      }
      event.preventDefault();
      if (busy) {
        return; // a double click signs and sends once
      }
      busy = true;
      event.submitter.disabled = true;
      var button = event.submitter;
      clear(form);
      status("checking");
      // Started inside the chain, so a refusal the hook throws is shown like any other.
      Promise.resolve().then(function () {
        return hooks.prepare ? hooks.prepare(form) : null;
      }).then(function () {
        status("checking");
        return fetch(form.getAttribute("data-prepare"), {
          method: "POST",
          headers: { "Accept": "application/json", "X-CSRF-Token": token },
          credentials: "same-origin",
          body: fieldsOf(form)
        });
      }).then(answer).then(function (prepared) {
        (prepared.warnings || []).forEach(function (warning) {
          place(warning, "warning", hooks.controlFor);
        });
        if (signed.data === prepared.data_b64) {
          return signed.cms;
        }
        status("signing");
        return window.kepilNCALayer.sign(prepared.data_b64, {
          purpose: "sign",
          iin: form.getAttribute("data-iin") || undefined,
          locale: document.documentElement.lang
        }).then(function (cms) {
          signed = { data: prepared.data_b64, cms: cms };
          return cms;
        });
      }).then(function (cms) {
        status("sending");
        var body = new FormData();
        body.append("csrf_token", token);
        body.append("cms", cms);
        fieldsOf(form).forEach(function (value, name) {
          if (name !== "csrf_token") {
            body.append(name, value);
          }
        });
        if (hooks.addToSend) {
          hooks.addToSend(body);
        }
        return fetch(form.getAttribute("data-send"), {
          method: "POST",
          headers: { "Accept": "application/json", "X-CSRF-Token": token },
          credentials: "same-origin",
          body: body
        });
      }).then(answer).then(function (sent) {
        status("sent");
        window.location.assign(sent.location);
      }).catch(function (error) {
        busy = false;
        button.disabled = false;
        if (error.kind === "problems") {
          showProblems(form, error.problems, hooks.controlFor);
        } else if (error.kind) {
          status(error.kind, error.kind === "failed" ? error.detail : "");
          button.focus();
        } else {
          status("no_answer");
          button.focus();
        }
      });
    });
  }

  window.kepilSignAndSend = { attach: attach, place: place, status: status, word: word };
}());
