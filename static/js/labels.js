// The desk's one click opens this page with ?print=1: print at once; the
// Print button (or its access key) prints again.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".toolbar .print");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  if (document.body.dataset.autoprint === "1") {
    window.addEventListener("load", function () { window.print(); });
  }
});
