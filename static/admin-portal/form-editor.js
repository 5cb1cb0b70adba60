// The application form of an incentive (measures/admin.py), edited as sections and fields instead of
// JSON: the editor writes the JSON back into the form's textarea on every change, and the server
// checks it against measures/form_schema.py as before. Without this script the checked JSON
// textarea remains. Its words travel in the textarea's data-editor-words attribute (the CSP allows
// no inline script); nothing here sets a style attribute.
"use strict";
(function () {
  var TYPES = ["text", "textarea", "integer", "money", "date", "choice", "rows"];
  var FIGURES = ["units", "eligible_spending", "requested"];

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  function start(textarea) {
    var words = JSON.parse(textarea.dataset.editorWords || "{}");
    var state;
    try {
      state = JSON.parse(textarea.value || "{}");
    } catch (error) {
      return; // broken JSON stays in the textarea, where the server says what is wrong
    }
    if (state === null || typeof state !== "object" || Array.isArray(state)) return;
    var root = el("div", { class: "form-editor" });
    var toggle = el("button", { type: "button", class: "button form-editor-toggle", text: words.json });
    var wrap = el("div", { class: "form-editor-wrap" }, [toggle, root]);
    textarea.parentNode.insertBefore(wrap, textarea);
    textarea.hidden = true;

    function sync() {
      textarea.value = Object.keys(state).length ? JSON.stringify(state, null, 2) : "{}";
    }

    function button(text, action, extra) {
      var b = el("button", { type: "button", class: "button form-editor-" + (extra || "action"), text: text });
      b.addEventListener("click", function () {
        action();
        sync();
        render();
      });
      return b;
    }

    function input(obj, prop, label, kind) {
      var attrs = { type: kind === "number" ? "number" : "text", "data-prop": prop };
      var field = el("input", attrs);
      if (kind === "checkbox") {
        field.type = "checkbox";
        field.checked = Boolean(obj[prop]);
      } else if (obj[prop] !== undefined) {
        field.value = obj[prop];
      }
      field.addEventListener(kind === "checkbox" ? "change" : "input", function () {
        if (kind === "checkbox") obj[prop] = field.checked;
        else if (field.value === "" && prop !== "key" && prop !== "label" && prop !== "title") delete obj[prop];
        else obj[prop] = kind === "number" ? Number(field.value) : field.value;
        sync();
      });
      return el("label", { class: "form-editor-input" }, [el("span", { text: label }), field]);
    }

    function select(obj, prop, label, values, onChange, names) {
      var field = el("select", { "data-prop": prop });
      values.forEach(function (value) {
        var option = el("option", { value: value, text: (names && names[value]) || value || "—" });
        if ((obj[prop] || "") === value) option.selected = true;
        field.appendChild(option);
      });
      field.addEventListener("change", function () {
        if (field.value === "") delete obj[prop];
        else obj[prop] = field.value;
        if (onChange) onChange();
        sync();
        if (onChange) render();
      });
      return el("label", { class: "form-editor-input" }, [el("span", { text: label }), field]);
    }

    function moveUp(list, index) {
      if (index > 0) list.splice(index - 1, 0, list.splice(index, 1)[0]);
    }

    function fieldBox(list, index, nested) {
      var spec = list[index];
      var box = el("div", { class: "form-editor-field" }, [
        input(spec, "key", words.key),
        select(spec, "type", words.type, nested ? TYPES.slice(0, -1) : TYPES, function () {
          if (spec.type === "choice" && !spec.options) spec.options = [{ value: "", label: "" }];
          if (spec.type !== "choice") delete spec.options;
          if (spec.type === "rows" && !spec.fields) spec.fields = [{ key: "", type: "text", label: "" }];
          if (spec.type !== "rows") {
            delete spec.fields;
            delete spec.min_rows;
            delete spec.max_rows;
          }
        }, words.types),
        input(spec, "label", words.label),
        input(spec, "label_en", words.label_en),
        input(spec, "help", words.help),
        input(spec, "help_en", words.help_en),
        input(spec, "required", words.required, "checkbox"),
      ]);
      if (spec.type === "choice") {
        var options = el("div", { class: "form-editor-options" }, [el("strong", { text: words.options })]);
        (spec.options || []).forEach(function (option, n) {
          options.appendChild(
            el("div", { class: "form-editor-option" }, [
              input(option, "value", words.value),
              input(option, "label", words.label),
              input(option, "label_en", words.label_en),
              button(words.remove, function () { spec.options.splice(n, 1); }, "remove"),
            ])
          );
        });
        options.appendChild(button(words.add_option, function () {
          spec.options = spec.options || [];
          spec.options.push({ value: "", label: "" });
        }));
        box.appendChild(options);
      }
      if (spec.type === "rows") {
        var rows = el("div", { class: "form-editor-rows" }, [
          el("strong", { text: words.row_fields }),
          input(spec, "min_rows", words.min_rows, "number"),
          input(spec, "max_rows", words.max_rows, "number"),
        ]);
        (spec.fields || []).forEach(function (_sub, n) {
          rows.appendChild(fieldBox(spec.fields, n, true));
        });
        rows.appendChild(button(words.add_field, function () {
          spec.fields = spec.fields || [];
          spec.fields.push({ key: "", type: "text", label: "" });
        }));
        box.appendChild(rows);
      }
      box.appendChild(el("div", { class: "form-editor-tools" }, [
        button(words.up, function () { moveUp(list, index); }),
        button(words.remove, function () { list.splice(index, 1); }, "remove"),
      ]));
      return box;
    }

    function render() {
      root.textContent = "";
      if (!state.sections) {
        root.appendChild(el("p", { class: "help", text: words.default_form }));
        root.appendChild(button(words.own_form, function () {
          state.sections = [{ key: "claim", title: "", fields: [{ key: "", type: "text", label: "" }] }];
          state.claim = state.claim || {};
        }, "own-form"));
        return;
      }
      state.sections.forEach(function (section, s) {
        section.fields = section.fields || [];
        var box = el("fieldset", { class: "form-editor-section" }, [
          el("legend", { text: words.section + " " + (s + 1) }),
          input(section, "key", words.key),
          input(section, "title", words.title),
          input(section, "title_en", words.title_en),
        ]);
        section.fields.forEach(function (_field, f) {
          box.appendChild(fieldBox(section.fields, f, false));
        });
        box.appendChild(el("div", { class: "form-editor-tools" }, [
          button(words.add_field, function () { section.fields.push({ key: "", type: "text", label: "" }); }),
          button(words.up, function () { moveUp(state.sections, s); }),
          button(words.remove_section, function () { state.sections.splice(s, 1); }, "remove"),
        ]));
        root.appendChild(box);
      });
      root.appendChild(button(words.add_section, function () {
        state.sections.push({ key: "", title: "", fields: [{ key: "", type: "text", label: "" }] });
      }, "add-section"));
      var answers = [""];
      state.sections.forEach(function (section) {
        section.fields.forEach(function (field) {
          if (section.key && field.key) answers.push(section.key + "." + field.key);
        });
      });
      state.claim = state.claim || {};
      var claim = el("fieldset", { class: "form-editor-claim" }, [el("legend", { text: words.claim })]);
      FIGURES.forEach(function (figure) {
        var values = answers.slice();
        if (state.claim[figure] && values.indexOf(state.claim[figure]) === -1) values.push(state.claim[figure]);
        claim.appendChild(select(state.claim, figure, words[figure] || figure, values));
      });
      root.appendChild(claim);
      root.appendChild(button(words.default_again, function () {
        Object.keys(state).forEach(function (key) { delete state[key]; });
      }, "remove"));
    }

    toggle.addEventListener("click", function () {
      if (textarea.hidden) {
        textarea.hidden = false;
        root.hidden = true;
        return;
      }
      try {
        var typed = JSON.parse(textarea.value || "{}");
        if (typed === null || typeof typed !== "object" || Array.isArray(typed)) return;
        state = typed;
      } catch (error) {
        return; // stays in JSON until it parses
      }
      textarea.hidden = true;
      root.hidden = false;
      render();
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-editor-words]").forEach(start);
  });
})();
