// django-import-export's export page: the "select all" toggle, bound here instead of an inline
// onchange attribute (the CSP allows no inline handlers). onSelectToggleChange is the package's.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
    toggle.addEventListener("change", function (event) {
      window.onSelectToggleChange(event);
    });
  });
});
