(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var current = 0;
  document.documentElement.classList.add("js");
  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, n) { slide.hidden = n !== current; });
    history.replaceState(null, "", "#" + (current + 1));
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Enter: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1 };
    if (event.key in moves) show(current + (event.shiftKey && event.key === " " ? -1 : moves[event.key]));
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(slides.length - 1);
    else if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) document.exitFullscreen(); else document.documentElement.requestFullscreen();
    } else if (event.key === "n" || event.key === "N") document.body.classList.toggle("show-notes");
    else return;
    event.preventDefault();
  });
  var startX = null;
  document.addEventListener("touchstart", function (event) { startX = event.touches[0].clientX; }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (startX === null) return;
    var dx = event.changedTouches[0].clientX - startX;
    if (Math.abs(dx) > 50) show(current + (dx < 0 ? 1 : -1));
    startX = null;
  });
  show((parseInt(location.hash.slice(1), 10) || 1) - 1);
})();
