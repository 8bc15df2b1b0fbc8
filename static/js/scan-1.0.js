/* The scan page: the tablet's camera reads a visitor pass's QR code (the browser's
   BarcodeDetector where it has one, else the vendored jsQR) and sends it as if it were typed.
   Without a camera, or without this script, the field takes a typed number or a hand scanner. */
(function () {
  function start() {
    var video = document.querySelector("video[data-scan]");
    var button = document.querySelector("[data-scan-start]");
    var form = document.getElementById("scan-form");
    var input = document.getElementById("code");
    var status = document.getElementById("scan-status");
    if (!video || !button || !form || !input) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = button.getAttribute("data-unavailable");
      return;
    }
    button.hidden = false;
    var detector = null;
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({formats: ["qr_code"]}); } catch (e) { detector = null; }
    }
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    function found(text) {
      stop();
      input.value = text;
      form.submit();
    }
    function withJsQR() {
      if (!window.jsQR) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      if (code && code.data) found(code.data); else window.requestAnimationFrame(look);
    }
    function look() {
      if (!stream) return;
      if (video.readyState < 2) { window.requestAnimationFrame(look); return; }
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue); else window.requestAnimationFrame(look);
        }).catch(function () { detector = null; window.requestAnimationFrame(look); });
        return;
      }
      withJsQR();
    }
    button.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          button.hidden = true;
          status.textContent = button.getAttribute("data-scanning");
          return video.play();
        })
        .then(look)
        .catch(function () { status.textContent = button.getAttribute("data-denied"); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
