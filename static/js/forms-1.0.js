/* After a form comes back with errors, the cursor goes to the first field to fix (on load and
   when htmx swaps a form in). No dependencies. */
(function () {
  function focusFirstError(root) {
    var field = (root || document).querySelector("[aria-invalid=true]");
    if (field && typeof field.focus === "function") {
      field.focus();
      if (field.scrollIntoView) field.scrollIntoView({block: "center"});
    }
  }
  document.addEventListener("DOMContentLoaded", function () { focusFirstError(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusFirstError(event.target); });
})();
