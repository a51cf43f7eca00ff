// An old WordPress link to a comment ends in #comment-<its WordPress id>: after the redirect
// to the post it names no comment here, where comments have ids of their own. When the
// fragment matches nothing on the page, ask /wordpress/comment/<id>/, which redirects to the
// comment (on the right comment page). Without JavaScript the post itself is shown.
(function () {
  "use strict";
  var script = document.currentScript;
  var match = /^#comment-(\d{1,19})$/.exec(window.location.hash);
  if (!script || !match || document.getElementById("comment-" + match[1])) {
    return;
  }
  window.location.replace(script.getAttribute("data-comment-base") + match[1] + "/");
})();
