/* The practitioner search form: leave empty fields out of the URL, so that a search reads
   /practitioners?q=stop+smoking&where=Clacton rather than ...&age=&need=. Without
   JavaScript the form sends them empty, which the page treats the same. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.value.trim()) { field.disabled = true; }
    });
    // Enabled again at once, so that going back to the page shows a usable form.
    window.setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    }, 0);
  });
}());
