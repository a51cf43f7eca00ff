/*
 * Stoa's discussion on another site's page:
 *
 *   <script src="https://stoa.example/embed.js" data-stoa-thread="https://example.org/article/" async></script>
 *
 * The script draws the thread where the tag is, in a Shadow DOM (the page's styles and the
 * thread's do not meet), and talks to Stoa's JSON API only (/api/v1/, stoa.api.embed):
 * across origins with CORS, always without cookies (credentials: "omit"), so that no
 * third-party cookie is ever needed. A guest reads and posts as a guest; the key that lets
 * them see their own held comment (the API's owner_token) stays in this site's localStorage.
 * A member logs in in a window of Stoa's; it sends back a short-lived token by postMessage,
 * which is checked (Stoa's origin, that window, this page's random state) and kept in memory.
 *
 * The thread is Stoa's own markup, sanitised on the server and numbered as on Stoa's page;
 * it is the only markup put in with innerHTML. Everything else is built with DOM calls and
 * textContent. The embedding page's CSP needs `script-src` and `connect-src` for Stoa's
 * origin (the styles are a constructed stylesheet, which CSP does not govern), and its
 * Cross-Origin-Opener-Policy must not be same-origin for the login window to answer.
 *
 * No build step, no dependency: this file is what is served.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var STOA = new URL(script.src, location.href).origin;
  var API = STOA + "/api/v1";
  var pageAddress = new URL(
    script.getAttribute("data-stoa-thread") || canonicalAddress() || location.href,
    location.href
  );
  pageAddress.hash = "";
  var pageTitle = script.getAttribute("data-stoa-title") || document.title || "";
  var STORE = "stoa-embed:" + STOA + ":owner-keys";

  var member = null; // {token, name}: in memory only, gone with the page
  var loginState = null; // the random state of the login window in flight
  var loginWindow = null;
  var thread = null; // what /embed/thread answered
  var pageNumber = 1;
  var replyTo = null; // {id, name, link}

  // ------------------------------------------------------------------ building blocks

  function canonicalAddress() {
    var link = document.querySelector('link[rel="canonical"]');
    return link ? link.href : "";
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function field(name, label, type, autocomplete, required, note) {
    var input = el(type === "textarea" ? "textarea" : "input", { id: "stoa-" + name, name: name });
    if (type === "textarea") {
      input.setAttribute("rows", "6");
      input.setAttribute("maxlength", "10000");
    } else {
      input.setAttribute("type", type);
      input.setAttribute("maxlength", name === "url" ? "300" : name === "name" ? "100" : "254");
    }
    if (autocomplete) input.setAttribute("autocomplete", autocomplete);
    if (required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    var children = [el("label", { for: "stoa-" + name, text: label + (required ? " (required)" : "") }), input];
    if (note) {
      input.setAttribute("aria-describedby", "stoa-" + name + "-note");
      children.push(el("span", { id: "stoa-" + name + "-note", class: "note", text: note }));
    }
    return { box: el("p", { class: "field" }, children), input: input };
  }

  var CSS = [
    ":host{display:block;font:inherit;color:#1a1a1a;background:#fff;margin:2rem 0}",
    ".stoa{max-width:46rem;padding:0 .25rem}",
    "h2,h3{line-height:1.25;margin:1.5rem 0 .75rem}",
    "a{color:#0b55a0}",
    "a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,[tabindex]:focus-visible{outline:3px solid #b34700;outline-offset:2px}",
    ".visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}",
    "ol.comment-list{padding-left:1.75rem;margin:0}",
    "ol.children{list-style:none;padding-left:1.25rem;border-left:2px solid #ddd;margin:.5rem 0 0}",
    ".comment-item{margin:0 0 1.25rem}",
    ".comment__meta{display:flex;gap:.75rem;align-items:flex-start}",
    ".comment__meta .avatar,.comment__meta svg,.comment__meta img{width:40px;height:40px;border-radius:50%;flex:none}",
    ".comment__who{font-size:.95em}.comment__author{font-weight:bold}",
    ".badge{font-size:.8em;border:1px solid #555;border-radius:3px;padding:0 .3em}",
    ".comment__body{margin:.25rem 0}.comment__body p{margin:.5rem 0}",
    ".comment__actions{display:flex;gap:1rem;align-items:center;font-size:.95em}",
    ".comment__actions form{margin:0}",
    ".link-button{background:none;border:0;padding:0;color:#0b55a0;text-decoration:underline;cursor:pointer;font:inherit}",
    ".comment__awaiting{font-style:italic;color:#5a4500;background:#fff4cc;padding:.25rem .5rem;margin:0}",
    ".field{margin:.75rem 0;display:flex;flex-direction:column;gap:.25rem}",
    ".field input,.field textarea{font:inherit;padding:.4rem;border:1px solid #767676;border-radius:3px;color:#1a1a1a;background:#fff;max-width:100%}",
    ".note{font-size:.9em;color:#4a4a4a}",
    ".button{font:inherit;background:#0b55a0;color:#fff;border:0;border-radius:3px;padding:.5rem 1rem;cursor:pointer}",
    ".button[disabled]{background:#5f6b77}",
    ".status{min-height:1.5em;margin:.5rem 0}",
    ".error{color:#9b1c1c;font-weight:bold;margin:.5rem 0}",
    ".error:empty,.status:empty{display:none}",
    ".pages{display:flex;gap:1rem;align-items:center;margin:1rem 0}",
    ".who{margin:.5rem 0}",
    ".credit{font-size:.9em;margin-top:1.5rem}",
  ].join("\n");

  // ------------------------------------------------------------------ the frame

  var host = el("div", { class: "stoa-embed" });
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: "open" });
  if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.appendChild(el("style", { text: CSS }));
  }

  var heading = el("h2", { id: "stoa-title", text: "Comments" });
  var status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  var threadBox = el("div", { class: "thread" });
  var pager = el("nav", { class: "pages", "aria-label": "Comment pages", hidden: "" });
  var respondTitle = el("h3", { id: "stoa-respond-title", text: "Leave a comment" });
  var cancelReply = el("button", { type: "button", class: "link-button", hidden: "", text: "Cancel reply" });
  var who = el("p", { class: "who" });
  var error = el("p", { class: "error", role: "alert", id: "stoa-error" });
  var nameField = field("name", "Name", "text", "name", true);
  var emailField = field("email", "Email", "email", "email", true, "Never published.");
  var urlField = field("url", "Website", "url", "url", false);
  var guestFields = el("div", {}, [nameField.box, emailField.box, urlField.box]);
  var bodyField = field("body", "Comment", "textarea", "", true);
  var send = el("button", { type: "submit", class: "button", text: "Post comment" });
  var form = el("form", { novalidate: "", "aria-labelledby": "stoa-respond-title" }, [
    error,
    guestFields,
    bodyField.box,
    el("p", {}, [send]),
  ]);
  var respond = el("div", { class: "respond" }, [respondTitle, cancelReply, who, form]);
  var credit = el("p", { class: "credit" });
  var section = el("section", { class: "stoa", "aria-labelledby": "stoa-title" }, [
    heading,
    status,
    threadBox,
    pager,
    respond,
    credit,
  ]);
  root.appendChild(section);
  respond.hidden = true;

  function say(text) {
    status.textContent = "";
    // A fresh text node, so that screen readers announce the same message said twice.
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  // ------------------------------------------------------------------ the API

  function call(method, path, body) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (member) headers.Authorization = "Bearer " + member.token;
    return fetch(API + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
    }).then(
      function (response) {
        if (response.status === 204) return { ok: true, status: 204, data: null };
        return response.json().then(
          function (data) {
            return { ok: response.ok, status: response.status, data: data };
          },
          function () {
            return { ok: response.ok, status: response.status, data: null };
          }
        );
      },
      function () {
        return { ok: false, status: 0, data: { detail: "Stoa could not be reached; please try again." } };
      }
    );
  }

  function problemText(answer) {
    if (answer.status === 401 && member) {
      member = null;
      showWho();
      return "Your login here has ended; please log in again (your comment is kept).";
    }
    return (answer.data && (answer.data.detail || answer.data.title)) || "Something went wrong (" + answer.status + ").";
  }

  // ------------------------------------------------------------------ owner keys (guests)

  function ownerKeys() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function keepOwnerKey(postId, key) {
    var keys = ownerKeys();
    keys[postId] = key;
    try {
      window.localStorage.setItem(STORE, JSON.stringify(keys));
    } catch (e) {
      /* storage refused: the held comment is shown until the page is left */
    }
    memoryKeys[postId] = key;
  }

  var memoryKeys = {};

  function ownerKey(postId) {
    return memoryKeys[postId] || ownerKeys()[postId] || "";
  }

  // ------------------------------------------------------------------ the thread

  function findThread() {
    var query = "?url=" + encodeURIComponent(pageAddress.href);
    return call("GET", "/embed/thread" + query).then(function (answer) {
      if (answer.status !== 404) return answer;
      return call("POST", "/embed/threads", { url: pageAddress.href, title: pageTitle });
    });
  }

  function start() {
    say("Loading comments…");
    findThread().then(function (answer) {
      if (!answer.ok) {
        status.textContent = "";
        threadBox.textContent = "";
        threadBox.appendChild(el("p", { text: "Comments are not available here: " + problemText(answer) }));
        return;
      }
      thread = answer.data;
      credit.textContent = "";
      credit.appendChild(el("a", { href: thread.url, text: "This discussion on its own page" }));
      loadThread(false);
    });
  }

  function loadThread(announce, focusId) {
    if (!thread) return Promise.resolve();
    var query = "?page=" + pageNumber;
    var key = member ? "" : ownerKey(thread.post);
    if (key) query += "&owner_token=" + encodeURIComponent(key);
    return call("GET", "/posts/" + thread.post + "/comments" + query).then(function (answer) {
      if (!answer.ok) {
        threadBox.textContent = "";
        threadBox.appendChild(el("p", { text: problemText(answer) }));
        respond.hidden = answer.status !== 403;
        form.hidden = answer.status === 403;
        showWho();
        if (!announce) status.textContent = "";
        return;
      }
      drawThread(answer.data);
      respond.hidden = false;
      form.hidden = !thread.comments_open;
      showWho();
      if (!announce) status.textContent = "";
      if (focusId) {
        var target = root.getElementById("comment-" + focusId);
        if (target) {
          target.setAttribute("tabindex", "-1");
          target.focus();
        }
      }
    });
  }

  function drawThread(data) {
    var count = data.comment_count;
    heading.textContent = count === 0 ? "No comments yet" : count === 1 ? "1 comment" : count + " comments";
    // Stoa's own markup for this page of the thread, sanitised and numbered by the server.
    threadBox.innerHTML = data.html;
    var base = thread.url;
    Array.prototype.forEach.call(threadBox.querySelectorAll("a[href]"), function (link) {
      var href = link.getAttribute("href");
      if (link.classList.contains("comment__reply")) return;
      // The thread's links are written for Stoa's page: make them Stoa's addresses.
      link.setAttribute("href", new URL(href, base).href);
    });
    Array.prototype.forEach.call(threadBox.querySelectorAll("form[action]"), function (f) {
      f.setAttribute("action", new URL(f.getAttribute("action"), STOA).href);
    });
    if (!thread.comments_open) {
      Array.prototype.forEach.call(threadBox.querySelectorAll(".comment__reply"), function (link) {
        link.hidden = true;
      });
    }
    pager.textContent = "";
    pager.hidden = data.pages < 2;
    if (data.pages > 1) {
      if (data.page > 1) pager.appendChild(pageButton("Previous comment page", data.page - 1));
      pager.appendChild(el("span", { text: "Page " + data.page + " of " + data.pages }));
      if (data.page < data.pages) pager.appendChild(pageButton("Next comment page", data.page + 1));
    }
  }

  function pageButton(label, number) {
    var button = el("button", { type: "button", class: "link-button", text: label });
    button.addEventListener("click", function () {
      pageNumber = number;
      loadThread(true).then(function () {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      });
    });
    return button;
  }

  // ------------------------------------------------------------------ reply, report

  threadBox.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment__reply") : null;
    if (!link) return;
    event.preventDefault();
    startReply(link);
  });

  function startReply(link) {
    replyTo = {
      id: parseInt(link.getAttribute("data-reply-to"), 10),
      name: link.getAttribute("data-reply-name") || "",
      link: link,
    };
    respondTitle.textContent = "Reply to " + replyTo.name;
    cancelReply.hidden = false;
    var item = link.closest("li") || link.closest("article");
    item.appendChild(respond);
    bodyField.input.focus();
  }

  function endReply(focusLink) {
    var link = replyTo && replyTo.link;
    replyTo = null;
    respondTitle.textContent = "Leave a comment";
    cancelReply.hidden = true;
    section.insertBefore(respond, credit);
    if (focusLink && link && link.isConnected) link.focus();
  }

  cancelReply.addEventListener("click", function () {
    endReply(true);
  });

  threadBox.addEventListener("submit", function (event) {
    var reportForm = event.target;
    if (!reportForm.classList.contains("comment__report")) return;
    event.preventDefault();
    var article = reportForm.closest("article");
    var id = article ? parseInt(article.id.replace("comment-", ""), 10) : NaN;
    if (!id) return;
    var button = reportForm.querySelector("button");
    button.disabled = true;
    call("POST", "/comments/" + id + "/report").then(function (answer) {
      if (answer.ok) {
        button.textContent = "Reported";
        say(
          answer.data && answer.data.reported === false
            ? "You had reported this comment already."
            : "Thank you: the comment was reported to the moderators."
        );
      } else {
        button.disabled = false;
        say("The report was not sent: " + problemText(answer));
      }
    });
  });

  // ------------------------------------------------------------------ posting

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.textContent = "";
    [nameField, emailField, bodyField].forEach(function (f) {
      f.input.removeAttribute("aria-invalid");
    });
    var missing = [bodyField].concat(member ? [] : [nameField, emailField]).filter(function (f) {
      return !f.input.value.trim();
    });
    if (missing.length) {
      missing.forEach(function (f) {
        f.input.setAttribute("aria-invalid", "true");
      });
      error.textContent = "Please fill in: " + missing.map(function (f) {
        return f.box.querySelector("label").textContent.replace(" (required)", "");
      }).join(", ") + ".";
      missing[0].input.focus();
      return;
    }
    var body = { body: bodyField.input.value };
    if (replyTo) body.parent = replyTo.id;
    if (!member) {
      body.name = nameField.input.value;
      body.email = emailField.input.value;
      body.url = urlField.input.value;
    }
    send.disabled = true;
    call("POST", "/posts/" + thread.post + "/comments", body).then(function (answer) {
      send.disabled = false;
      if (!answer.ok) {
        // The text stays in the box (and the API hands it back in the problem's `text`).
        if (answer.data && answer.data.text && !bodyField.input.value) bodyField.input.value = answer.data.text;
        error.textContent = "Your comment was not posted: " + problemText(answer);
        bodyField.input.focus();
        return;
      }
      var written = answer.data;
      if (written.owner_token) keepOwnerKey(thread.post, written.owner_token);
      bodyField.input.value = "";
      endReply(false);
      say(
        written.status === "approved"
          ? "Your comment was posted."
          : "Your comment was sent and is awaiting moderation; only you see it for now."
      );
      loadThread(true, written.id);
    });
  });

  // ------------------------------------------------------------------ members

  var loginButton = el("button", { type: "button", class: "link-button", text: "Log in as a member" });
  var logoutButton = el("button", { type: "button", class: "link-button", text: "Log out here" });

  function showWho() {
    who.textContent = "";
    guestFields.hidden = !!member;
    if (thread && !thread.comments_open) {
      who.textContent = "Comments are closed.";
      respondTitle.hidden = true;
      return;
    }
    if (member) {
      who.appendChild(document.createTextNode("Commenting as " + member.name + ". "));
      who.appendChild(logoutButton);
    } else {
      who.appendChild(document.createTextNode("Commenting as a guest, or "));
      who.appendChild(loginButton);
      who.appendChild(document.createTextNode("."));
    }
  }

  function randomState() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  loginButton.addEventListener("click", function () {
    loginState = randomState();
    var address =
      STOA + "/api/embed/login/?origin=" + encodeURIComponent(location.origin) + "&state=" + loginState;
    loginWindow = window.open(address, "stoa-login", "popup,width=520,height=680");
    if (!loginWindow) {
      loginState = null;
      say("The login window was blocked by the browser; please allow pop-ups for this page.");
      return;
    }
    say("A login window opened. Log in there; this page waits for it.");
  });

  window.addEventListener("message", function (event) {
    // Only Stoa's login window, the one this page opened, with this page's state.
    if (event.origin !== STOA || !loginWindow || event.source !== loginWindow) return;
    var data = event.data;
    if (!data || data.type !== "stoa:login" || !loginState || data.state !== loginState) return;
    if (typeof data.token !== "string" || typeof data.name !== "string") return;
    loginState = null;
    loginWindow = null;
    member = { token: data.token, name: data.name };
    showWho();
    say("You are logged in as " + member.name + ".");
    loadThread(true).then(function () {
      if (!form.hidden) bodyField.input.focus();
    });
  });

  logoutButton.addEventListener("click", function () {
    member = null;
    showWho();
    say("You are commenting as a guest again.");
    loginButton.focus();
    loadThread(true);
  });

  showWho();
  start();
})();
