// The embedded discussion's login window, last step (stoa.api.embed.login): hand the token
// to the page that opened this window, addressed to that page's origin only, so no other
// page that might be the opener by then can read it; then close.
(function () {
  "use strict";
  var holder = document.getElementById("stoa-embed-grant");
  if (!holder) return;
  var grant = JSON.parse(holder.textContent);
  if (!window.opener || window.opener === window) return; // opened by hand: the page says what to do
  window.opener.postMessage(
    { type: grant.type, state: grant.state, token: grant.token, name: grant.name, expires: grant.expires },
    grant.origin
  );
  window.close();
})();
