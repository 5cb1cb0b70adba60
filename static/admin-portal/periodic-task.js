// django-celery-beat's periodic-task form: shows the chosen crontab in words under the field.
// The package's inline script, as a file (the CSP allows no inline script).
"use strict";
(function ($) {
  const readableCrontabs = JSON.parse($("#readable-crontabs").text());
  const originalCrontabHelp = JSON.parse($("#crontab-help").text());
  const updateCrontabHelp = function (additional) {
    const help = $(".field-crontab .help");
    help.text(originalCrontabHelp);
    help.append("<br>", document.createTextNode("Translation: " + additional));
  };
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})(django.jQuery);
