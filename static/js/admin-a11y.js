/* The admin's two-box selector (filter_horizontal) labels its filter boxes with
   a magnifier <span aria-label="...">; aria-label is not allowed on a span with
   no role (axe aria-prohibited-attr), so a screen reader may drop the words.
   The span is an icon: give it the role of one, and its words are its name.
   Loaded with defer, so this listener follows SelectFilter2's own on "load". */
"use strict";
window.addEventListener("load", function () {
  document
    .querySelectorAll(".selector-filter span[aria-label]:not([role])")
    .forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
});
