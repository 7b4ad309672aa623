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

  // A 4xx answer to a form other than the form itself (409 and 422 bring the form back with
  // its errors, htmx-config in base.html) is still a message for the person who sent it: a
  // file too large for the server (413), a form that expired (400), too many attempts (429).
  // It is shown at the top of that form, where they are looking, rather than in the page's
  // message area further up. The answer is parsed, never run; only its text is shown.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 0;
    if (status < 400 || status >= 500 || status === 409 || status === 422) return;
    var source = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    var form = source && source.closest ? source.closest("form") : null;
    if (!form) return;
    var answer = new DOMParser().parseFromString(evt.detail.serverResponse || "", "text/html");
    var message = answer.querySelector(".flash-error");
    if (!message) return;
    evt.detail.shouldSwap = false;
    var slot = form.querySelector(":scope > .form-error");
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "error form-error";
      slot.setAttribute("role", "alert");
      form.insertBefore(slot, form.firstChild);
    }
    slot.textContent = message.textContent.trim();
    slot.scrollIntoView({ block: "nearest" });
  });
})();
