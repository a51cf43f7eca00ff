// Progressive enhancement for the comment form: "Reply" moves the form under the comment
// without a reload. Without JavaScript the same links reload the page with ?replytocom=.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  if (!respond) return;
  var home = document.createComment("respond-home");
  respond.parentNode.insertBefore(home, respond);
  var parentField = document.getElementById("id_parent");
  var title = document.getElementById("reply-title");
  var originalTitle = title ? title.innerHTML : "";

  function cancel(event) {
    if (event) event.preventDefault();
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentField.value = "";
    if (title) title.innerHTML = originalTitle;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-reply-to]") : null;
    if (!link) return;
    event.preventDefault();
    var article = document.getElementById("comment-" + link.getAttribute("data-reply-to"));
    if (!article) return;
    article.parentNode.insertBefore(respond, article.nextSibling);
    parentField.value = link.getAttribute("data-reply-to");
    if (title) {
      title.textContent = "Reply to " + link.getAttribute("data-reply-name") + " ";
      var cancelLink = document.createElement("a");
      cancelLink.href = "#respond";
      cancelLink.className = "respond__cancel";
      cancelLink.textContent = "Cancel reply";
      cancelLink.addEventListener("click", cancel);
      title.appendChild(cancelLink);
    }
    var body = document.getElementById("id_body");
    if (body) body.focus();
  });
})();
