/*
 * The filing page with JavaScript: each chosen file is checked against the service's limits
 * (data- attributes of the form) before anything is sent, hashed here (SHA-256) and described
 * by its name, type and size in the form's hidden fields; the server builds the canonical form
 * from them, NCALayer signs it, and the files travel with the CMS (sign-and-send.js).
 * "Add another address/document" adds a block here instead of reloading the page, so chosen
 * files are kept.
 */
(function () {
  "use strict";

  var form = document.getElementById("filing");
  if (!form || !window.kepilSignAndSend || !window.kepilNCALayer) {
    return;
  }
  var word = window.kepilSignAndSend.word;
  var maxFile = Number(form.getAttribute("data-max-file-bytes"));
  var maxTotal = Number(form.getAttribute("data-max-total-bytes"));
  var maxFiles = Number(form.getAttribute("data-max-files"));
  var mediaTypes = (form.getAttribute("data-media-types") || "").split(" ");

  function blocks() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-block='attachments']"));
  }

  function chosen(block) {
    var input = block.querySelector("input[type=file]");
    return input && input.files && input.files.length ? input.files[0] : null;
  }

  function fact(block, name, value) {
    block.querySelector("[data-fact='" + name + "']").value = value;
  }

  function refusal(problems) {
    return Object.assign(new Error("refused"), { kind: "problems", problems: problems });
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (byte) {
      return ("0" + byte.toString(16)).slice(-2);
    }).join("");
  }

  // Refuse before upload what the service would refuse after it: type, size, count, total.
  function check() {
    var problems = [];
    var total = 0;
    var count = 0;
    blocks().forEach(function (block) {
      var file = chosen(block);
      if (!file) {
        return;
      }
      var id = block.querySelector("input[type=file]").id;
      count += 1;
      total += file.size;
      if (mediaTypes.indexOf(file.type) < 0) {
        problems.push({ field: id, message: word("file_wrong_type") });
      } else if (file.size > maxFile) {
        problems.push({ field: id, message: word("file_too_large") });
      }
    });
    if (total > maxTotal || count > maxFiles) {
      problems.push({ field: "attachments", message: word("files_too_large") });
    }
    if (problems.length) {
      throw refusal(problems);
    }
  }

  function describe(block) {
    var file = chosen(block);
    if (!file) {
      ["file_name", "media_type", "size", "sha256"].forEach(function (name) {
        fact(block, name, "");
      });
      return Promise.resolve();
    }
    return file.arrayBuffer().then(function (content) {
      return window.crypto.subtle.digest("SHA-256", content);
    }).then(function (digest) {
      fact(block, "file_name", file.name);
      fact(block, "media_type", file.type);
      fact(block, "size", String(file.size));
      fact(block, "sha256", hex(digest));
    });
  }

  function prepare() {
    check();
    window.kepilSignAndSend.status("hashing");
    return Promise.all(blocks().map(describe));
  }

  function addToSend(body) {
    blocks().forEach(function (block) {
      var file = chosen(block);
      if (file) {
        body.append("files", file, file.name);
      }
    });
  }

  // The service names a file by its name: files[contract.pdf] or attachments[contract.pdf].
  function controlFor(field) {
    var named = /^(?:files|attachments)\[(.*)\]$/.exec(field || "");
    if (!named) {
      return field;
    }
    var found = blocks().filter(function (block) {
      var file = chosen(block);
      return file && file.name === named[1];
    })[0];
    return found ? found.querySelector("input[type=file]").id : "attachments";
  }

  // A new block: a copy of the last one, renumbered, emptied, its messages left behind.
  function addBlock(group, button) {
    var all = form.querySelectorAll("[data-block='" + group + "']");
    var last = all[all.length - 1];
    var index = all.length;
    var copy = last.cloneNode(true);
    var pattern = new RegExp(group + "-\\d+", "g");
    var renumber = function (element) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) {
          element.setAttribute(attribute, value.replace(pattern, group + "-" + index));
        }
      });
    };
    renumber(copy);
    Array.prototype.forEach.call(copy.querySelectorAll("*"), renumber);
    Array.prototype.forEach.call(copy.querySelectorAll(".error, .warning, .js-problem, [id$='-file-hint']"),
      function (note) { note.parentNode.removeChild(note); });
    Array.prototype.forEach.call(copy.querySelectorAll("input, select, textarea"),
      function (control) {
        control.removeAttribute("aria-invalid");
        var described = (control.getAttribute("aria-describedby") || "").split(" ")
          .filter(function (id) { return id && copy.querySelector("[id='" + id + "']"); });
        if (described.length) {
          control.setAttribute("aria-describedby", described.join(" "));
        } else {
          control.removeAttribute("aria-describedby");
        }
        control.value = "";
      });
    Array.prototype.forEach.call(copy.querySelectorAll(".invalid"),
      function (field) { field.classList.remove("invalid"); });
    var legend = copy.querySelector("legend");
    var template = word(group === "addresses" ? "address_legend" : "document_legend");
    legend.textContent = template.replace("%(number)s", String(index + 1));
    button.parentNode.insertBefore(copy, button);
    form.elements[group === "addresses" ? "address_count" : "attachment_count"].value =
      String(index + 1);
    var first = copy.querySelector("input:not([type=hidden]), select");
    if (first) {
      first.focus();
    }
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-add]"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      addBlock(button.getAttribute("data-add"), button);
    });
  });

  window.kepilSignAndSend.attach(form, {
    prepare: prepare,
    addToSend: addToSend,
    controlFor: controlFor
  });
}());
