// Django's autocomplete widget (select2) draws boxes of its own in place of each <select>:
// the choice box (a combobox named by the chosen value, so by nothing while it is empty), the
// value drawn as a read-only textbox and, for several choices, a search box with no name. axe counts both as serious or
// critical ("aria-input-field-name", "label"). Each is named here after its field's label,
// the choice box keeping its value in its name. Re-applied as select2 redraws its boxes.
(function () {
  "use strict";

  function labelOf(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "-label";
    return label;
  }

  function name(select) {
    var label = labelOf(select);
    var box = select.nextElementSibling;
    if (!label || !box || !box.classList.contains("select2")) return;
    var text = label.textContent.replace(/:\s*$/, "").trim();
    box.querySelectorAll(".select2-selection").forEach(function (choice) {
      var value = choice.querySelector(".select2-selection__rendered");
      var wanted = label.id + (value && value.id ? " " + value.id : "");
      if (choice.getAttribute("aria-labelledby") !== wanted) {
        choice.setAttribute("aria-labelledby", wanted);
      }
    });
    // A single choice's value is drawn as a read-only textbox: named by the field too.
    box.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (value) {
      if (value.getAttribute("aria-labelledby") !== label.id) {
        value.setAttribute("aria-labelledby", label.id);
      }
    });
    box.querySelectorAll(".select2-search__field").forEach(function (search) {
      if (search.getAttribute("aria-label") !== text) search.setAttribute("aria-label", text);
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
  }

  window.addEventListener("load", function () {
    nameAll();
    new MutationObserver(nameAll).observe(document.body, { childList: true, subtree: true });
  });
})();
