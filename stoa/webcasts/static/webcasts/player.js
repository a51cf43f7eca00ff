/* Time codes in comments (<a class="timecode" href="#t=754" data-t="754">12:34</a>) and
   "#t=754" in the address seek the page's HTML5 player (#clip-player) and play it.
   Progressive enhancement: without this script, or with a host's embedded player, the
   links are ordinary links and the video starts at the beginning. */
(function () {
  "use strict";

  function player() {
    var element = document.getElementById("clip-player");
    return element && element.tagName === "VIDEO" ? element : null;
  }

  function seconds(value) {
    var number = parseFloat(value);
    return isFinite(number) && number >= 0 ? number : null;
  }

  function seek(video, at) {
    var go = function () {
      var end = isFinite(video.duration) ? video.duration : at;
      video.currentTime = Math.min(at, end);
      var playing = video.play();
      if (playing && typeof playing.catch === "function") {
        playing.catch(function () { /* the browser wants a click first: stay seeked */ });
      }
    };
    if (video.readyState >= 1) {
      go();
    } else {
      video.addEventListener("loadedmetadata", go, { once: true });
      if (video.preload === "none") { video.load(); }
    }
  }

  function fromAddress() {
    var match = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    var video = player();
    if (match && video) { seek(video, seconds(match[1])); }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.timecode") : null;
    var video = player();
    var at = link ? seconds(link.getAttribute("data-t")) : null;
    if (!link || !video || at === null || event.button !== 0 ||
        event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#t=" + Math.floor(at));
    }
    video.scrollIntoView({ block: "nearest" });
    video.focus({ preventScroll: true });
    seek(video, at);
  });

  window.addEventListener("hashchange", fromAddress);
  fromAddress();
}());
