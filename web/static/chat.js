/*
 * Resident chat widget. Talks to Rasa's REST channel:
 *   POST {rasa}/webhooks/rest/webhook  {"sender": id, "message": text}  ->  [{text, buttons}, ...]
 *
 * Safety rule for this file: text from the bot (and so from the service directory
 * behind it) reaches the page only through createElement / createTextNode /
 * textContent, never innerHTML, so a record containing <script> or onerror= is
 * shown as text and cannot run. Links are made only for http(s), tel, sms and
 * mailto addresses that we recognise ourselves.
 *
 * Residents' service answers also carry each card as data (Rasa's `custom` payload, sent
 * right after the card's text): the widget shows a compact card (name, one line, the contact
 * to tap, who it is for) with the full text behind "More details", and announces a short
 * summary ("3 services found for loneliness in Tendring") instead of every card.
 *
 * The conversation (sender id + transcript) lives in sessionStorage, so it survives a reload
 * in this tab. It is gone when the tab closes, on "Start again" or "Exit this page", and after
 * KEEP_MINUTES without a message (a shared device).
 */
(function () {
  "use strict";

  var STORE_KEY = "signpost-chat-v1";
  var MAX_SAVED = 200; // messages kept in sessionStorage: plenty, and bounded
  var TIMEOUT_MS = 30000; // Rasa can be slow on its first message after start-up
  var SAFE_SCHEMES = ["http:", "https:", "tel:", "sms:", "mailto:"];
  var MAX_SAVE_LINK = 10; // services in one "Save or print" link (web/my_services.py)
  var OWN_BUTTONS = ["/restart"]; // the widget's own "Start again" does this (and clears it)

  // The help lines, from signpost/help_lines.yml via the page (a JSON block that base.html
  // renders), so a number is never written twice; read once, so they work when the server
  // is down.
  var HELP_LINES = (function () {
    try {
      var data = JSON.parse(document.getElementById("help-lines").textContent);
      return Array.isArray(data) ? data : [];
    } catch (e) {
      return [];
    }
  })();

  // Shown when Rasa or the action server cannot answer.
  var CANT_REACH = [
    "Sorry, I can't reach the assistant just now. Please try again in a few minutes.",
    "If you need help now:"
  ].concat(HELP_LINES.map(function (l) { return "- " + l.text; })).concat([
    "For other support, your GP practice can put you in touch with a social prescriber " +
      "(link worker), or call NHS 111 for health advice."
  ]).join("\n");

  var SHORT_NUMBERS = HELP_LINES.map(function (l) {
    return l.label.replace(/[^\d ]/g, "").trim().replace(/ /g, "\\s?");
  }).filter(function (n) { return n && n.replace(/\D/g, "").length <= 6; }).join("|") || "999";

  // One pass over the text finds, in order of preference: web addresses,
  // www. addresses, email addresses, UK phone numbers, and the short help lines.
  var LINK_RE = new RegExp(
    [
      "(https?:\\/\\/[^\\s<>\"'`]+)",
      "(\\bwww\\.[a-z0-9-]+(?:\\.[a-z0-9-]+)+(?:\\/[^\\s<>\"'`]*)?)",
      "([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)",
      "((?:\\+44\\s?\\d{2,4}|\\b0\\d{2,4})[\\s-]?\\d{3,4}(?:[\\s-]?\\d{3,4})?\\b)",
      // The short help lines, from the page's list (NHS 111 and the others).
      "\\b((?:NHS\\s)?111|" + SHORT_NUMBERS + ")\\b"
    ].join("|"),
    "gi"
  );
  var TRAILING_PUNCT = /[.,;:!?)\]'"]+$/;

  var root = document.getElementById("chat");
  if (!root || !window.fetch) {
    return; // the <noscript>-style fallback text in the page stays the only content
  }
  var launcher = document.getElementById("chat-launcher");
  var panel = document.getElementById("chat-panel");
  var log = document.getElementById("chat-log");
  var typing = document.getElementById("chat-typing");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var restart = document.getElementById("chat-restart");
  var exit = document.getElementById("chat-exit");
  var status = document.getElementById("chat-status");
  // How long this tab keeps the conversation: the page sets it and says it (home.html).
  var KEEP_MINUTES = parseInt(root.getAttribute("data-keep-minutes"), 10) || 30;
  var saveUrl = root.getAttribute("data-my-services-url") || "/my-services";
  var endpoint = (root.getAttribute("data-rasa-url") || "").replace(/\/+$/, "") +
    "/webhooks/rest/webhook";

  var state = load() || fresh(false);
  var busy = false;

  // --- storage ---------------------------------------------------------------------

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    // randomUUID needs a secure context; getRandomValues does not.
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function fresh(open) {
    return { sender: newId(), open: open, messages: [] };
  }

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY));
      if (saved && typeof saved.sender === "string" && Array.isArray(saved.messages)) {
        if (expired(saved)) {
          forget();
          return null;
        }
        return saved;
      }
    } catch (e) {
      // Storage blocked or corrupt: start a new conversation.
    }
    return null;
  }

  function expired(saved) {
    return !(saved.savedAt > Date.now() - KEEP_MINUTES * 60000);
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(STORE_KEY);
    } catch (e) {
      // nothing stored
    }
  }

  function save() {
    state.messages = state.messages.slice(-MAX_SAVED);
    state.savedAt = Date.now();
    try {
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) {
      // Private mode or full storage: the chat still works, it just won't survive a reload.
    }
  }

  // --- building the DOM safely ---------------------------------------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function safeHref(href) {
    try {
      var url = new URL(href, window.location.href);
      return SAFE_SCHEMES.indexOf(url.protocol) >= 0 ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function hrefFor(match) {
    if (match[1]) {
      return match[1];
    }
    if (match[2]) {
      return "https://" + match[2];
    }
    if (match[3]) {
      return "mailto:" + match[3];
    }
    var digits = (match[4] || match[5]).replace(/[^\d+]/g, ""); // "NHS 111" -> "111"
    for (var i = 0; i < HELP_LINES.length; i++) {
      // The help line's own link: for SHOUT it prefills the word to text.
      if (HELP_LINES[i].label.replace(/[^\d+]/g, "") === digits) {
        return HELP_LINES[i].href;
      }
    }
    return "tel:" + digits;
  }

  function link(text, href) {
    var a = el("a", null, text);
    a.href = href;
    if (/^https?:/.test(href)) {
      // Open web pages in a new tab so the conversation stays put; say so.
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(el("span", "nhsuk-u-visually-hidden", " (opens in a new tab)"));
    } else {
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  // Append `text` to `parent`, turning recognised addresses into links.
  function appendLinked(parent, text) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      var found = match[0];
      var trail = "";
      if (match[1] || match[2]) {
        // "see https://example.org." - the full stop ends the sentence, not the address.
        var t = TRAILING_PUNCT.exec(found);
        if (t) {
          trail = t[0];
          found = found.slice(0, -trail.length);
          match[match[1] ? 1 : 2] = found;
        }
      }
      var href = safeHref(hrefFor(match));
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      parent.appendChild(href ? link(found, href) : document.createTextNode(found));
      parent.appendChild(document.createTextNode(trail));
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // A service card from the bot starts "Name (Organisation)" on a line of its own.
  var SERVICE_TITLE = /^[^.!?:()\n]{2,160}\(.{2,200}\)$/;

  // Multi-line bot text: "- " lines become a list, other lines paragraphs. A service's
  // name line becomes a heading, so screen reader users can jump from service to service.
  function appendText(parent, text, who) {
    var list = null;
    var lines = String(text).split(/\r?\n/);
    if (who === "bot" && lines.length > 1 && SERVICE_TITLE.test(lines[0].trim())) {
      parent.appendChild(el("h3", "chat-msg__title nhsuk-heading-xs", lines.shift().trim()));
    }
    lines.forEach(function (line) {
      var bullet = /^\s*[-\u2022*]\s+(.*)$/.exec(line);
      if (bullet) {
        if (!list) {
          list = parent.appendChild(el("ul", "chat-msg__list"));
        }
        appendLinked(list.appendChild(el("li")), bullet[1]);
      } else if (line.trim()) {
        list = null;
        appendLinked(parent.appendChild(el("p", "chat-msg__text")), line);
      }
    });
  }

  function cleanButtons(buttons) {
    if (!Array.isArray(buttons)) {
      return [];
    }
    return buttons.slice(0, 10).map(function (b) {
      var title = b && typeof b.title === "string" ? b.title : "";
      var payload = b && typeof b.payload === "string" ? b.payload : title;
      return { title: title || payload, payload: payload };
    }).filter(function (b) {
      return b.title && b.payload && OWN_BUTTONS.indexOf(b.payload) < 0;
    });
  }

  function str(value, max) {
    return typeof value === "string" ? value.slice(0, max || 500) : "";
  }

  // A compact card's data from the bot's `custom` payload: only the fields we know, as strings.
  function cleanCard(data) {
    var contact = data.contact && typeof data.contact === "object" ? data.contact : null;
    return {
      slug: str(data.slug, 100),
      title: str(data.title, 300),
      summary: str(data.summary),
      contact: contact && ["phone", "web", "email"].indexOf(contact.kind) >= 0 &&
        str(contact.value) ? { kind: contact.kind, value: str(contact.value) } : null,
      noContact: str(data.no_contact),
      whoFor: str(data.who_for)
    };
  }

  function replyButtons(buttons, silent) {
    var group = el("ul", "chat-msg__replies");
    group.setAttribute("aria-label", "Reply options");
    buttons.forEach(function (b) {
      var button = el("button", "nhsuk-button nhsuk-button--secondary nhsuk-button--small", b.title);
      button.type = "button";
      button.addEventListener("click", function () {
        // Move focus before the buttons disappear, so it never falls back to <body>.
        input.focus();
        send(b.payload, silent ? null : b.title);
      });
      group.appendChild(el("li")).appendChild(button);
    });
    return group;
  }

  var CONTACT_LABELS = { phone: "Phone: ", web: "Website: ", email: "Email: " };

  function contactHref(contact) {
    if (contact.kind === "phone") {
      return safeHref("tel:" + contact.value.replace(/[^\d+]/g, ""));
    }
    if (contact.kind === "email") {
      return safeHref("mailto:" + contact.value);
    }
    var href = safeHref(/^www\./i.test(contact.value) ? "https://" + contact.value : contact.value);
    return href && /^https?:/.test(href) ? href : null;
  }

  var cardCount = 0;

  // Compact service card: name, one line, the contact to tap, who it is for; the bot's full
  // card text behind "More details" (a disclosure button, so print can open it with CSS).
  function cardNode(msg) {
    var card = msg.card;
    var node = el("div", "chat-msg chat-msg--bot chat-card");
    node.appendChild(el("p", "nhsuk-u-visually-hidden", "Service: "));
    node.appendChild(el("h3", "chat-msg__title nhsuk-heading-xs", card.title));
    if (card.summary) {
      appendLinked(node.appendChild(el("p", "chat-msg__text")), card.summary);
    }
    var reach = node.appendChild(el("p", "chat-msg__text chat-card__contact"));
    var href = card.contact && contactHref(card.contact);
    if (href) {
      reach.appendChild(el("span", null, CONTACT_LABELS[card.contact.kind]));
      reach.appendChild(link(card.contact.value, href));
    } else {
      appendLinked(reach, card.noContact || (card.contact && card.contact.value) || "");
    }
    if (card.whoFor) {
      var who = node.appendChild(el("p", "chat-msg__text"));
      who.appendChild(el("strong", null, "Who it's for: "));
      appendLinked(who, card.whoFor);
    }
    var id = "chat-card-more-" + (++cardCount);
    var toggle = el("button", "chat-card__toggle", "More details");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", id);
    toggle.appendChild(el("span", "nhsuk-u-visually-hidden", " about " + card.title));
    var more = el("div", "chat-card__more");
    more.id = id;
    more.hidden = true;
    // The bot's card text without what the compact card already shows: the name (the
    // heading), the first sentence and who it is for.
    var rest = String(msg.text || "").split(/\r?\n/).slice(1).map(function (line) {
      var t = line.trim();
      if (card.whoFor && t === "Who it's for: " + card.whoFor) {
        return "";
      }
      return card.summary && t.indexOf(card.summary) === 0 ? t.slice(card.summary.length) : line;
    });
    appendText(more, rest.join("\n"), "bot-more");
    toggle.addEventListener("click", function () {
      var opening = more.hidden;
      more.hidden = !opening;
      toggle.setAttribute("aria-expanded", String(opening));
      toggle.firstChild.textContent = opening ? "Fewer details" : "More details";
    });
    node.appendChild(toggle);
    node.appendChild(more);
    return node;
  }

  // "Save or print these services": a page with the services shown so far, by id only.
  function saveNode(msg) {
    var node = el("div", "chat-msg chat-msg--bot chat-save");
    var a = el("a", "chat-save__link", "Save or print these services");
    a.href = saveUrl + "?" + msg.slugs.map(function (s) {
      return "s=" + encodeURIComponent(s);
    }).join("&");
    node.appendChild(el("p", "chat-msg__text")).appendChild(a);
    node.appendChild(el("p", "chat-msg__text nhsuk-body-s",
      "A page to print, copy or open later. Its link holds only which services they are."));
    return node;
  }

  function messageNode(msg, withButtons) {
    if (msg.kind === "card" && msg.card) {
      return cardNode(msg);
    }
    if (msg.kind === "save" && Array.isArray(msg.slugs)) {
      return saveNode(msg);
    }
    var node = el("div", "chat-msg chat-msg--" + msg.who);
    var speaker = msg.who === "user" ? "You said: " : "Assistant: ";
    node.appendChild(el("p", "nhsuk-u-visually-hidden", speaker));
    appendText(node, msg.text || "", msg.who);
    if (msg.who !== "user" && /\b999\b/.test(msg.text) && /116\s?123/.test(msg.text)) {
      node.className += " chat-msg--urgent"; // crisis lines: make them stand out
    }
    if (msg.summary) {
      node.className += " chat-msg--intro"; // the services' introduction: printed with them
    }
    if (withButtons && msg.buttons && msg.buttons.length) {
      node.appendChild(replyButtons(msg.buttons, msg.who === "error"));
    }
    return node;
  }

  // --- reading Rasa's reply -----------------------------------------------------------

  // Rasa's REST reply, as messages to keep. A card's text comes first (Rasa may split it at
  // blank lines), then its `custom` data: the text since the last boundary is that card's.
  function readReplies(replies) {
    var out = [];
    var since = 0;
    (Array.isArray(replies) ? replies : []).forEach(function (r) {
      var custom = r && r.custom && typeof r.custom === "object" ? r.custom : null;
      if (custom && custom.signpost === "service") {
        var parts = out.splice(since).map(function (m) { return m.text; });
        out.push({ who: "bot", kind: "card", text: parts.join("\n"), card: cleanCard(custom) });
        since = out.length;
      } else if (custom && custom.signpost === "services") {
        if (out.length) {
          out[out.length - 1].summary = str(custom.summary, 200);
        }
        since = out.length;
      } else if (!custom) {
        var text = r && typeof r.text === "string" ? r.text : "";
        var buttons = cleanButtons(r && r.buttons);
        if (text.trim() || buttons.length) {
          out.push({ who: "bot", text: text, buttons: buttons });
          if (buttons.length) {
            since = out.length;
          }
        }
      }
    });
    // After the last card: "Save or print these services", before the one prompt.
    var lastCard = -1;
    out.forEach(function (m, i) {
      if (m.kind === "card") {
        lastCard = i;
      }
    });
    if (lastCard >= 0) {
      out.splice(lastCard + 1, 0, { who: "bot", kind: "save", slugs: shownSlugs(out) });
    }
    return out;
  }

  // Every service shown so far in this conversation (the latest MAX_SAVE_LINK), each once.
  function shownSlugs(incoming) {
    var slugs = [];
    state.messages.concat(incoming).forEach(function (m) {
      if (m.kind === "card" && m.card && m.card.slug) {
        slugs = slugs.filter(function (s) { return s !== m.card.slug; }).concat([m.card.slug]);
      }
    });
    return slugs.slice(-MAX_SAVE_LINK);
  }

  // --- what a screen reader hears ----------------------------------------------------------

  // The live region gets a short version of each answer: the results' summary instead of
  // the cards, other messages as they are, and the reply options as a list.
  function spoken(messages) {
    var parts = [];
    var buttons = [];
    messages.forEach(function (m) {
      if (m.summary) {
        parts.push(m.summary + ".");
      } else if (m.kind === "save") {
        parts.push("You can save or print these services.");
      } else if (m.kind !== "card" && m.text) {
        parts.push(String(m.text).replace(/\s*\n\s*/g, " "));
      }
      if (m.buttons && m.buttons.length) {
        buttons = m.buttons;
      }
    });
    return { text: parts.join(" "), buttons: buttons };
  }

  function announce(text, buttons) {
    status.textContent = "";
    status.appendChild(el("p", null, text));
    if (buttons && buttons.length) {
      status.appendChild(el("p", null, buttons.length + " reply options:"));
      var list = status.appendChild(el("ul"));
      buttons.forEach(function (b, i) {
        // Punctuation between items, so that they are never read as one run of words.
        list.appendChild(el("li", null, b.title + (i < buttons.length - 1 ? "," : ".")));
      });
    }
  }

  // --- conversation ------------------------------------------------------------------

  function render() {
    log.textContent = "";
    // Only the answers after the person's last message still offer reply buttons.
    var lastUser = -1;
    state.messages.forEach(function (m, i) {
      if (m.who === "user") {
        lastUser = i;
      }
    });
    state.messages.forEach(function (m, i) {
      log.appendChild(messageNode(m, i > lastUser));
    });
  }

  function add(msg) {
    state.messages.push(msg);
    save();
    return log.appendChild(messageNode(msg, true));
  }

  function clearReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".chat-msg__replies"), function (g) {
      g.parentNode.removeChild(g);
    });
  }

  function showTyping(on) {
    typing.hidden = !on;
    if (on) {
      announce("The assistant is typing.");
    }
  }

  function offScreen(node) {
    var box = node.getBoundingClientRect();
    return box.top < 0 || box.bottom > window.innerHeight;
  }

  // Bring the start of the answer into sight when it is not (never animated), then make sure
  // the focused element is in view too: it wins when both cannot fit.
  function bringIntoView(node) {
    var top = node.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.6) {
      node.scrollIntoView({ block: "start" });
    }
    var focused = document.activeElement;
    if (focused && focused !== document.body && root.contains(focused) && offScreen(focused)) {
      focused.scrollIntoView({ block: "nearest" });
    }
  }

  function post(message) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: message }),
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (res.ok) {
        return res.json();
      }
      // Too long (413) or too fast (429): the channel's own friendly text, with the crisis
      // lines, is shown as the answer instead of "can't reach the assistant".
      var failed = new Error("Rasa answered " + res.status);
      return res.json().then(function (body) {
        if (body && Array.isArray(body.messages) && body.messages.length) {
          return body.messages;
        }
        throw failed;
      }, function () { throw failed; });
    }).finally(function () {
      clearTimeout(timer);
    });
  }

  // After an answer with reply options, focus moves to the first one, so that they come next
  // with Tab (the message box follows them). Not while the person is typing or is elsewhere.
  function focusReplies() {
    var first = log.querySelector(".chat-msg__replies button");
    var active = document.activeElement;
    // Only from the empty message box (or nowhere): never from elsewhere on the page.
    var idle = !active || active === document.body || (active === input && !input.value);
    if (first && idle && !panel.hidden) {
      first.focus({ preventScroll: true });
    }
  }

  // Send `payload` to the bot; `shown` is what the person sees as their message
  // (the button title for quick replies; null for silent messages like the greeting).
  function send(payload, shown) {
    if (busy) {
      return;
    }
    busy = true;
    clearReplies();
    var sender = state.sender; // "Start again" while waiting makes this answer stale
    var first = shown ? add({ who: "user", text: shown }) : null;
    var answer = [];
    showTyping(true);
    post(payload).then(function (replies) {
      if (sender !== state.sender) {
        return;
      }
      answer = readReplies(replies);
      if (!answer.length) {
        // Every message gets an answer; none means the action server failed.
        throw new Error("empty reply");
      }
      answer.forEach(function (m) {
        var node = add(m);
        first = first || node;
      });
    }).catch(function () {
      if (sender !== state.sender) {
        return;
      }
      answer = [{
        who: "error",
        text: CANT_REACH,
        buttons: [{ title: "Try again", payload: payload }]
      }];
      var node = add(answer[0]);
      first = first || node;
    }).then(function () {
      if (sender !== state.sender) {
        return;
      }
      busy = false;
      showTyping(false);
      var said = spoken(answer);
      focusReplies();
      announce(said.text, said.buttons);
      if (first) {
        bringIntoView(first);
      }
    });
  }

  function open(focus) {
    panel.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    if (focus) {
      input.focus();
    }
  }

  function start() {
    forget();
    state = fresh(true);
    save();
    render();
    send("/greet", null);
  }

  launcher.addEventListener("click", function () {
    open(true);
    if (!state.messages.length) {
      start();
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || busy) {
      return;
    }
    input.value = "";
    send(text, text);
  });

  restart.addEventListener("click", function () {
    input.value = "";
    input.focus();
    busy = false; // any answer still on its way belongs to the old conversation
    showTyping(false);
    start();
  });

  // A shared device: a conversation left alone for KEEP_MINUTES is cleared from the page and
  // from storage, as the page says.
  setInterval(function () {
    if (state.messages.length && expired(state)) {
      forget();
      state = fresh(false);
      busy = false;
      log.textContent = "";
      status.textContent = "";
      showTyping(false);
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
    }
  }, 30000);

  // "Exit this page" (the GOV.UK pattern): forget the conversation in this tab and leave for
  // an everyday site at once, without adding to the history. Shift pressed three times in a
  // row does the same.
  function quickExit() {
    forget();
    log.textContent = "";
    status.textContent = "";
    document.title = "Loading";
    window.location.replace(exit.getAttribute("data-exit-url") || "https://www.bbc.co.uk/weather");
  }

  if (exit) {
    exit.addEventListener("click", quickExit);
    var shifts = [];
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        shifts = [];
        return;
      }
      var now = Date.now();
      shifts = shifts.filter(function (t) { return now - t < 1000; }).concat([now]);
      if (shifts.length >= 3) {
        quickExit();
      }
    });
  }

  // A conversation from earlier in this tab: show it again, as it was. The live region only
  // speaks for new answers, so the restored transcript is not read out again.
  if (state.open && state.messages.length) {
    render();
    open(false);
  } else {
    launcher.hidden = false;
  }
})();
