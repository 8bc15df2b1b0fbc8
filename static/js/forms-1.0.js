/* After a form comes back with errors, the cursor goes to the first field to fix (on load and
   when htmx swaps a form in). On a phone, a list's filters fold behind their 筛选 control.
   No dependencies. */
(function () {
  function focusFirstError(root) {
    var field = (root || document).querySelector("[aria-invalid=true]");
    if (field && typeof field.focus === "function") {
      field.focus();
      if (field.scrollIntoView) field.scrollIntoView({block: "center"});
    }
  }
  function foldFilters(root) {
    if (!window.matchMedia("(max-width: 700px)").matches) return;
    root.querySelectorAll("details.fold-filters[open]").forEach(function (details) {
      details.removeAttribute("open");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    foldFilters(document);
    focusFirstError(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    foldFilters(event.target);
    focusFirstError(event.target);
  });
})();
