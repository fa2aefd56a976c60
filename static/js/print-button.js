/* Buttons marked data-print print the page. A listener in a static file, not an onclick
 * attribute: the Content-Security-Policy forbids inline event handlers. */
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
