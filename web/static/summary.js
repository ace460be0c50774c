/* The patient list's Print and Copy buttons. Progressive enhancement: the buttons are hidden
   in the HTML and shown only here, so without JavaScript the page still prints from the
   browser and the text box can still be selected and copied. */
(function () {
  "use strict";
  var printButton = document.getElementById("print-list");
  if (printButton && typeof window.print === "function") {
    printButton.hidden = false;
    var hint = document.getElementById("print-hint");
    if (hint) { hint.hidden = true; }
    printButton.addEventListener("click", function () { window.print(); });
  }
  var copyButton = document.getElementById("copy-list");
  var text = document.getElementById("summary-text");
  var status = document.getElementById("copy-status");
  if (!copyButton || !text) { return; }
  copyButton.hidden = false;
  function done(ok) {
    if (status) {
      status.textContent = ok ? "Copied. You can now paste the list." :
        "Could not copy. Select the text in the box and copy it.";
    }
  }
  copyButton.addEventListener("click", function () {
    text.focus();
    text.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(function () { done(true); },
        function () { done(document.execCommand("copy")); });
    } else {
      done(document.execCommand("copy"));
    }
  });
}());
