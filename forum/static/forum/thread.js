// Live updates for thread and board pages. The pages work without this file:
// it only inserts or replaces the server-rendered fragments the websocket sends.
// On every (re)connect it asks for the events after the last one it applied
// (?after=N), and skips any id it has already applied: nothing lost or shown twice.
const root = document.querySelector("[data-forum-live]");
if (root && "WebSocket" in window) {
  const scope = root.dataset.forumLive;
  const status = document.getElementById("forum-live-status");
  let lastEvent = Number(root.dataset.lastEvent || 0);
  let delay = 1000;
  let failures = 0;

  // Live posts come with the viewer's buttons; their forms carry this placeholder (forum.queries.CSRF_PLACEHOLDER)
  // where the page's own CSRF token goes.
  const CSRF_PLACEHOLDER = "forum-csrf-token-placeholder";
  const csrfToken = root.dataset.csrfToken || "";

  const fragment = (html) => {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  };

  const say = (text) => { if (status) status.textContent = text; };
  // Shown while the websocket is down (Redis stopped, a deploy, a network blip), hidden when it is back.
  const unavailable = document.getElementById("forum-live-unavailable");
  const showUnavailable = (shown) => { if (unavailable) unavailable.hidden = !shown; };

  const applyThread = (message) => {
    for (const post of message.posts || []) {
      const node = fragment(post.html.split(CSRF_PLACEHOLDER).join(csrfToken));
      if (!node) continue;
      const existing = document.getElementById(post.id);
      if (existing) {
        existing.replaceWith(node);
      } else if (root.dataset.insert === "bottom") {
        document.getElementById("no-replies")?.remove();
        root.appendChild(node);
        say("A new reply has been posted.");
      } else {
        say("New replies have been posted: see the last page.");
      }
    }
    const statusNode = document.getElementById(`thread-status-${message.thread}`);
    if (statusNode && message.status_html) statusNode.replaceWith(fragment(message.status_html));
  };

  const applyBoard = (message) => {
    const existing = document.getElementById(message.row_id);
    if (!message.html) { existing?.remove(); return; }
    const node = fragment(message.html);
    if (existing) {
      existing.replaceWith(node);
    } else if (root.dataset.insert === "top") {
      document.getElementById("no-threads")?.remove();
      root.prepend(node);
      say("A new question has been posted.");
    }
  };

  const connect = () => {
    const protocol = window.location.protocol === "https:" ? "wss" : "ws";
    // The server sends everything after lastEvent first, then live events.
    const socket = new WebSocket(`${protocol}://${window.location.host}${root.dataset.wsPath}?after=${lastEvent}`);
    socket.addEventListener("open", () => { delay = 1000; failures = 0; showUnavailable(false); });
    socket.addEventListener("message", (received) => {
      const message = JSON.parse(received.data);
      if (message.type === "forum.caught_up" && message.complete === false) {
        say("More has changed than can be shown here. Reload the page to see everything.");
      }
      if (message.type !== "forum.event") return;
      if (message.event && message.event <= lastEvent) return; // seen already
      if (scope === "thread") applyThread(message); else applyBoard(message);
      if (message.event) lastEvent = message.event;
    });
    socket.addEventListener("close", (closed) => {
      // Refused (signed out, or no longer allowed to read): stop; the page still works by reload.
      showUnavailable(true);
      if (closed.code === 4403 || ++failures > 8) { say("Live updates have stopped. Reload the page to see new posts."); return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  connect();
}
