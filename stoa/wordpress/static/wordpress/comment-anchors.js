// An old WordPress link to a comment ends in #comment-<its WordPress id>. Imported comments
// keep that id where it was free (on a fresh site, all of them), so after the redirect to
// the post the fragment usually names the comment itself. It names nothing when the comment
// is on another comment page, or had to take another id (the import reports those): then
// ask /wordpress/comment/<id>/, which redirects to the comment (on the right comment page).
// Without JavaScript the post itself is shown.
(function () {
  "use strict";
  var script = document.currentScript;
  var match = /^#comment-(\d{1,19})$/.exec(window.location.hash);
  if (!script || !match || document.getElementById("comment-" + match[1])) {
    return;
  }
  window.location.replace(script.getAttribute("data-comment-base") + match[1] + "/");
})();
