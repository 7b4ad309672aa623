/* The case board: drag a card by its handle to another column, and keep every card in the
   column its case's state says. The server decides everything; this only moves elements.
   Without this script the board still works: the "move to…" menus are plain forms. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.htmx) return;

  function listFor(state) {
    return state ? board.querySelector('.board-list[data-state="' + state + '"]') : null;
  }

  // A card with a form or its menu open, or being dragged, is in someone's hands: a poll
  // does not replace it (a stale submit is refused by the server with the fresh card).
  function busy(card) {
    return card.classList.contains("sortable-chosen") ||
      card.querySelector("form.card-form, details[open]") !== null;
  }

  // Put a card where it belongs in its column, in deadline order. ``strict``: a card that sorts
  // past the loaded part of a column is left for that column's next page.
  function insert(list, card, strict) {
    var more = list.querySelector(":scope > .more");
    var cards = list.querySelectorAll(":scope > .board-card");
    for (var i = 0; i < cards.length; i++) {
      if (cards[i] !== card && cards[i].dataset.sort > card.dataset.sort) {
        list.insertBefore(card, cards[i]);
        return;
      }
    }
    if (more && strict) card.remove();
    else list.insertBefore(card, more);
  }

  // A card's own request (a drop, a menu choice, its form, a refusal) answers with the card
  // alone: the counts of the column it left and the one it entered follow it here, and the
  // board's next poll brings the exact counts of its view.
  var stateBefore = {};
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (evt.detail.shouldSwap && target && target.classList && target.classList.contains("board-card") &&
        board.contains(target)) {
      stateBefore[target.id] = target.dataset.counted || target.dataset.state;
    }
  });

  function bump(state, by) {
    var count = document.getElementById("count-" + state);
    if (count) count.textContent = String(Math.max(0, (parseInt(count.textContent, 10) || 0) + by));
  }

  function recount(card) {
    if (!(card.id in stateBefore)) return;
    var before = stateBefore[card.id];
    delete stateBefore[card.id];
    if (before && before !== card.dataset.state) {
      bump(before, -1);
      bump(card.dataset.state, 1);
    }
  }

  function place(card) {
    if (!card.isConnected) return;
    recount(card);
    var parent = card.parentElement;
    var fromInbox = parent && parent.id === "board-inbox";
    var column = card.dataset.column;
    // One element per case: the newest wins, unless the other one is in someone's hands.
    // A card already shown in its column stays shown when a poll brings it again.
    var shown = false;
    var twins = document.querySelectorAll('[id="' + card.id + '"]');
    for (var i = 0; i < twins.length; i++) {
      if (twins[i] === card) continue;
      if (busy(twins[i])) {
        // The poll's counts already count the case where the server has it.
        twins[i].dataset.counted = card.dataset.state;
        card.remove();
        return;
      }
      if (twins[i].parentElement && twins[i].parentElement.dataset.state === column) shown = true;
      twins[i].remove();
    }
    if (parent && parent.dataset.state === column) return;
    var list = listFor(column);
    if (!list) { card.remove(); return; }  // left this view
    insert(list, card, fromInbox && !shown);
  }

  htmx.onLoad(function (elt) {
    if (!board.contains(elt) && !(elt.parentElement && elt.parentElement.id === "board-inbox")) return;
    if (elt.classList && elt.classList.contains("board-card")) {
      place(elt);
      // A move that opened its form: bring the whole card into view (it may have been
      // dropped on a column at the edge of the screen).
      if (elt.isConnected && elt.querySelector("form.card-form")) {
        elt.scrollIntoView({ block: "nearest", inline: "start" });
      }
    } else if (elt.querySelectorAll) {
      elt.querySelectorAll(".board-card").forEach(place);
    }
  });

  document.body.addEventListener("htmx:oobAfterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "board-inbox") {
      Array.prototype.slice.call(evt.detail.target.children).forEach(place);
      evt.detail.target.replaceChildren();
    }
  });

  // No answer, or an error the card cannot show (5xx, a lost connection, an ended session): a
  // dropped card goes back to its state's column; app.js says what happened on the card.
  function putBack(evt) {
    var card = evt.detail.elt && evt.detail.elt.closest && evt.detail.elt.closest(".board-card");
    if (card && board.contains(card)) {
      card.dataset.column = card.dataset.state;
      place(card);
    }
  }
  document.body.addEventListener("htmx:responseError", putBack);
  document.body.addEventListener("htmx:sendError", putBack);

  // A phone shows one column at a time: open the board on the first column that holds cards
  // of this view rather than on empty ones (a mediator's own cases are seldom just
  // registered). Not when the address names a card: the browser goes to that one.
  if (!location.hash && window.matchMedia("(max-width: 40rem)").matches) {
    var columns = board.querySelectorAll(".board-column");
    for (var c = 0; c < columns.length; c++) {
      var count = columns[c].querySelector(".count");
      if (count && (parseInt(count.textContent, 10) || 0) > 0) {
        board.scrollLeft += columns[c].getBoundingClientRect().left - board.getBoundingClientRect().left;
        break;
      }
    }
  }

  if (!window.Sortable || !board.hasAttribute("data-movable")) return;

  // While a card is dragged, the columns that take it are marked; the others are dimmed.
  function markTargets(card) {
    var targets = card ? (card.dataset.targets || "").split(" ") : [];
    board.classList.toggle("dragging", !!card);
    board.querySelectorAll(".board-column").forEach(function (column) {
      var list = column.querySelector(".board-list");
      column.classList.toggle("drop-target", !!card && targets.indexOf(list.dataset.state) >= 0);
    });
  }

  board.querySelectorAll(".board-list").forEach(function (list) {
    Sortable.create(list, {
      group: {
        name: "board",
        pull: true,
        // Only the columns the card's holder may move it to take it.
        put: function (to, from, card) {
          return (card.dataset.targets || "").split(" ").indexOf(to.el.dataset.state) >= 0;
        }
      },
      sort: false,               // the order in a column is the deadline's, not the user's
      handle: ".drag-handle",    // the rest of the card scrolls the board
      draggable: ".board-card",
      delay: 150,                // a touch must rest on the handle before the card lifts,
      delayOnTouchOnly: true,    // so a swipe scrolls (and a mouse drags at once)
      touchStartThreshold: 8,    // moving this far during the delay cancels the lift
      fallbackOnBody: true,
      animation: 150,
      // Near an edge the board scrolls, slowly enough for a thumb to stop over the column
      // it means: within 48 px of the edge, at 8 px a frame; the page scrolls too (bubble).
      scroll: true,
      scrollSensitivity: 48,
      scrollSpeed: 8,
      bubbleScroll: true,
      onStart: function (evt) { markTargets(evt.item); },
      onEnd: function (evt) {
        var card = evt.item;
        markTargets(null);
        if (evt.to === evt.from) return;
        htmx.ajax("POST", card.dataset.moveUrl, {
          source: card, target: card, swap: "outerHTML",
          values: { to: evt.to.dataset.state, version: card.dataset.version }
        });
      }
    });
  });
})();
