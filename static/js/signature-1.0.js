/* Signature pad for the work order: draw with a finger, the PNG goes into a hidden input.
   No dependencies. Loaded on every page (1 KB) because htmx-boosted navigation does not run
   scripts of the incoming page; it wakes up on any [data-signature] canvas that appears. */
(function () {
  function setUp(canvas) {
    var form = canvas.closest("form");
    var input = form.querySelector("input[name=signature]");
    var clear = form.querySelector("[data-signature-clear]");
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false;
    function size() {
      var ratio = window.devicePixelRatio || 1;
      canvas.width = canvas.clientWidth * ratio;
      canvas.height = canvas.clientHeight * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.clientWidth, canvas.clientHeight);
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; canvas.setPointerCapture(event.pointerId);
      var p = point(event); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
      event.preventDefault();
    });
    function stop() {
      if (!drawing) return;
      drawing = false;
      if (drawn) input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    if (clear) clear.addEventListener("click", function () { size(); drawn = false; input.value = ""; });
    size();
  }
  function init(root) {
    (root || document).querySelectorAll("canvas[data-signature]").forEach(function (canvas) {
      if (!canvas.dataset.ready) { canvas.dataset.ready = "1"; setUp(canvas); }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
