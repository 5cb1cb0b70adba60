// The eligibility criteria inline of an incentive (measures/admin.py): shows only the parameter
// fields the chosen rule reads, and the JSON box only for a rule without fields of its own. The
// table of rules travels in the select's data-parameters attribute (the CSP allows no inline script).
// Without this script every field shows and the server still checks what each rule needs.
"use strict";
(function () {
  var FIELDS = [
    "qualifications", "levels", "year_from", "year_to", "within_years",
    "sizes", "cities", "divisions", "amount", "count",
  ];

  function rowOf(block, name) {
    return block.querySelector(".form-row.field-" + name) || block.querySelector(".field-" + name);
  }

  function apply(select) {
    var block = select.closest(".inline-related");
    if (!block) return;
    var table = JSON.parse(select.dataset.parameters || "{}");
    var wanted = table[select.value];
    FIELDS.forEach(function (name) {
      var row = rowOf(block, name);
      if (row) row.hidden = !(wanted && wanted.indexOf(name) !== -1);
    });
    var declaration = select.value === "declaration";
    var json = rowOf(block, "params");
    if (json) {
      var box = json.querySelector("textarea");
      var filled = box && box.value.trim() !== "" && box.value.trim() !== "{}";
      json.hidden = (Boolean(wanted) || declaration) && !filled && !json.querySelector(".errorlist");
    }
    ["text", "text_en"].forEach(function (name) {
      var row = rowOf(block, name);
      if (row) row.hidden = Boolean(wanted) && !declaration && !row.querySelector("input").value;
    });
    // A group of rows with none shown goes too (a declaration has no parameters).
    block.querySelectorAll("fieldset").forEach(function (group) {
      var rows = group.querySelectorAll(".form-row");
      var shown = Array.prototype.some.call(rows, function (row) { return !row.hidden; });
      group.hidden = rows.length > 0 && !shown;
    });
  }

  function applyAll(root) {
    root.querySelectorAll("select.criterion-rule").forEach(apply);
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyAll(document);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.criterion-rule")) apply(event.target);
  });
  // Django's admin announces a new inline row with this event.
  document.addEventListener("formset:added", function (event) {
    applyAll(event.target);
  });
})();
