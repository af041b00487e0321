/* The clinic desk. Everything works without this file; it adds two things:
   - scanning her QR code with the tablet's camera (where the browser has
     BarcodeDetector), which fills the token field and submits the check-in;
   - a refresh of the day list every minute that keeps the scroll position and
     never interrupts someone typing. */
(function () {
  "use strict";

  function setUpScanner(form) {
    // The camera's controls sit after the box's outcome, in the same card.
    var scope = form.closest(".desk-box") || form;
    var button = scope.querySelector("button.scan");
    var video = scope.querySelector("video.scanner");
    var field = scope.querySelector("input[name=token]");
    if (!button || !video || !field) return;
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
    button.hidden = false;
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
    }

    button.addEventListener("click", function () {
      if (stream) { stop(); return; }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          return video.play();
        })
        .then(function scan() {
          if (!stream) return;
          detector.detect(video).then(function (codes) {
            if (codes.length && codes[0].rawValue) {
              field.value = codes[0].rawValue.trim();
              stop();
              form.submit();
            } else {
              window.setTimeout(scan, 250);
            }
          }, function () { window.setTimeout(scan, 500); });
        })
        .catch(stop);
    });
  }

  function busy() {
    var active = document.activeElement;
    // The check-in box has the focus all day: empty, it is not someone typing.
    var box = active && active.closest && active.closest("form.checkin");
    if (active && !box && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) return true;
    var typed = Array.prototype.some.call(
      document.querySelectorAll("form.checkin input[type=text]"),
      function (input) { return input.value !== ""; }
    );
    return typed;
  }

  function setUpRefresh(section) {
    var seconds = parseInt(section.getAttribute("data-desk-refresh"), 10) || 60;
    var key = "desk-scroll:" + location.pathname + location.search;
    var saved = window.sessionStorage && sessionStorage.getItem(key);
    if (saved !== null && saved !== undefined && !location.hash) {
      window.scrollTo(0, parseInt(saved, 10) || 0);
    }
    window.setInterval(function () {
      if (busy() || document.hidden) return;
      if (window.sessionStorage) sessionStorage.setItem(key, String(window.scrollY));
      location.replace(location.pathname + location.search);
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.checkin"), setUpScanner);
    var refresh = document.querySelector("[data-desk-refresh]");
    if (refresh) setUpRefresh(refresh);
  });
})();
