/* What every page does in the browser, kept in a file because the pages' Content-Security-Policy
   runs no inline script and no inline event handler (webapp/security_headers.py). Every page
   works without it: each behaviour here only saves a click or a request. */
(function () {
  "use strict";

  // A form field marked data-autosubmit sends its form when its value changes (the pay
  // pages' month picker); without script, the form's own button does.
  document.addEventListener("change", function (evt) {
    var field = evt.target;
    if (field && field.form && field.hasAttribute && field.hasAttribute("data-autosubmit")) {
      if (field.form.requestSubmit) field.form.requestSubmit();
      else field.form.submit();
    }
  });

  // An element marked data-poll-when-visible polls only while the page is in view: no eval'd
  // trigger filter (htmx runs with allowEval off), the request is simply not sent.
  document.addEventListener("htmx:confirm", function (evt) {
    var elt = evt.detail && evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-poll-when-visible") &&
        document.visibilityState !== "visible") {
      evt.preventDefault();
    }
  });

  // -- A form in flight: sent once, and seen to be saving ------------------------------------
  // Its submit buttons are disabled and show a spinner (.is-saving in app.css) until the answer
  // comes; a second tap meanwhile does nothing. The server refuses a second submission of the
  // same drawn form anyway (its one-time token, webapp/submissions.py): this spares the wait.
  function submitButtons(form) {
    return form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  }

  function saving(form, on) {
    form.classList.toggle("is-saving", on);
    if (on) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
    submitButtons(form).forEach(function (button) { button.disabled = on; });
  }

  // A form that is still on the page after its answer (the answer went elsewhere) is a new form
  // for the next submission: it gets a new one-time token.
  function freshToken(form) {
    var field = form.querySelector("input[name=form_token]");
    if (!field || !window.crypto || !window.crypto.getRandomValues) return;
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    field.value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // The button that sent a form, to send it again the same way (retryOf).
  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest && evt.target.closest("button, input[type=submit]");
    if (button && button.form && button.type === "submit") button.form.lastPressed = button;
  }, true);

  // Plain forms (a full page comes back). HTMX forms have called preventDefault by now.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || !form || form.method === "get") return;
    if (form.classList.contains("is-saving")) { evt.preventDefault(); return; }
    // After the browser has read the pressed button's name and value.
    form.classList.add("is-saving");
    window.setTimeout(function () { saving(form, true); }, 0);
    // An answer that is a download leaves the page as it was: the form is usable again later.
    window.setTimeout(function () { if (form.isConnected) saving(form, false); }, 20000);
  });
  // Back to a page from the browser's cache: its forms are not in flight any more.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.is-saving").forEach(function (form) { saving(form, false); });
  });

  function formOf(elt) {
    if (!elt || !elt.closest) return null;
    return elt.tagName === "FORM" ? elt : elt.closest("form");
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = formOf(evt.detail.elt);
    if (!form || (evt.detail.requestConfig && evt.detail.requestConfig.verb === "get")) return;
    if (form.classList.contains("is-saving")) { evt.preventDefault(); return; }
    clearProblem(form);
    saving(form, true);
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = formOf(evt.detail.elt);
    if (!form || !form.classList.contains("is-saving")) return;
    saving(form, false);
    if (evt.detail.successful && form.isConnected) freshToken(form);
  });

  // -- A failure shown where it happened ---------------------------------------------------
  // A refusal that brings the form back (409, 422) is drawn by the server beside its fields.
  // Any other failure (an expired form or session, too large a file, a server error, a lost
  // connection) is shown on the card or beside the form it concerns, with a button to try
  // again: never only in the page's message area further up. Nothing was saved, and the form
  // keeps what was typed. An answer is parsed, never run; only its text is shown.
  var words = document.body ? document.body.dataset : {};

  // What the failure concerns: a board card, else the form, else the element itself.
  function holderOf(elt) {
    if (!elt || !elt.closest) return null;
    return elt.closest(".board-card") || formOf(elt) || elt;
  }

  function clearProblem(holder) {
    var slot = holder && holder.querySelector(":scope > .form-error");
    if (slot) slot.remove();
  }

  function showProblem(holder, message, retry, signIn, stay) {
    if (!holder || !holder.isConnected) return;
    clearProblem(holder);
    var slot = document.createElement("div");
    slot.className = "error form-error";
    slot.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = message;
    slot.appendChild(text);
    if (signIn) {
      var link = document.createElement("a");
      link.className = "button";
      link.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      link.textContent = words.msgSignIn || "Sign in";
      slot.appendChild(link);
    }
    if (retry) {
      var again = document.createElement("button");
      again.type = "button";
      again.className = "small retry";
      again.textContent = words.msgRetry || "Try again";
      again.addEventListener("click", function () { slot.remove(); retry(); });
      slot.appendChild(again);
    }
    if (holder.tagName === "FORM") holder.insertBefore(slot, holder.firstChild);
    else holder.appendChild(slot);
    if (!stay) slot.scrollIntoView({ block: "nearest" });
  }

  // Sends the same request again: a form is submitted again as it stands (its one-time token
  // unchanged, so a first submission that did arrive is not made twice); a drop on the board
  // is made again with the same values.
  function retryOf(evt) {
    var elt = evt.detail.elt;
    var config = evt.detail.requestConfig;
    var form = formOf(elt);
    if (form && form.isConnected) {
      // With the button that sent it: its name and value are part of what was sent.
      var pressed = form.lastPressed;
      return function () {
        if (pressed && pressed.isConnected && pressed.form === form) pressed.click();
        else if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      };
    }
    if (!config || !elt) return null;
    var values = {};
    if (config.formData && config.formData.forEach) {
      config.formData.forEach(function (value, name) { values[name] = value; });
    }
    return function () {
      if (elt.isConnected) {
        htmx.ajax(config.verb.toUpperCase(), config.path,
                  { source: elt, target: config.target, swap: "outerHTML", values: values });
      }
    };
  }

  function answerText(evt) {
    var answer = new DOMParser().parseFromString(evt.detail.serverResponse || "", "text/html");
    var message = answer.querySelector(".flash-error") || answer.querySelector("main .card h1 + p");
    return message ? message.textContent.trim() : "";
  }

  function signedOut(xhr) {
    try { return xhr && xhr.responseURL && new URL(xhr.responseURL).pathname === "/login"; }
    catch (e) { return false; }
  }

  // The failures of polls and links (a GET outside a card) stay in the page's message area.
  function concerned(evt) {
    var config = evt.detail.requestConfig;
    // The element that sent the request (an event's own ``elt`` is where it is fired: the
    // target, for htmx:beforeSwap).
    var holder = holderOf((config && config.elt) || evt.detail.elt);
    if (!holder) return null;
    if (config && config.verb === "get" && !holder.closest(".board-card")) return null;
    return holder;
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var holder = concerned(evt);
    if (!holder) return;
    if (signedOut(xhr)) {
      // The session ended: the sign-in page came back instead of the answer.
      evt.detail.shouldSwap = false;
      evt.detail.isError = true;  // htmx:responseError follows (a dropped card goes back)
      showProblem(holder, words.msgSignedOut || "Signed out: not saved.", retryOf(evt), true);
      return;
    }
    if (status === 409 && evt.detail.shouldSwap) {
      // A refusal that redraws the card or the case: its reason is shown again, after the
      // swap, on the card or in the part of the page where the form was.
      var place = holder.id ? holder : holder.parentElement && holder.parentElement.closest("[id]");
      var reason = answerText(evt);
      if (place && reason) refused = { id: place.id, message: reason };
      return;
    }
    if (status < 400 || status === 422) return;
    evt.detail.shouldSwap = false;
    // The server's own words when it has them (a form that expired, a file too large); trying
    // the same again helps only when the server failed (5xx).
    var message = answerText(evt);
    showProblem(holder, message || (words.msgFailed || "Not saved.") + " (" + status + ")",
                status >= 500 ? retryOf(evt) : null);
  });

  var refused = null;
  document.addEventListener("htmx:afterSettle", function () {
    if (!refused) return;
    var place = document.getElementById(refused.id);
    // Not scrolled to: the answer brought its own message into view.
    if (place) showProblem(place, refused.message, null, false, true);
    refused = null;
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var holder = concerned(evt);
    if (holder) showProblem(holder, words.msgOffline || "Offline: not saved.", retryOf(evt));
  });
})();
