// The LiveViewJS 0.8.1 side of `cargo xtask compare`, on 127.0.0.1 with the stock Phoenix
// LiveView websocket at /live/websocket:
//
// - /counter: the same counter as examples/counter (events `inc`, `dec`, `reset`; the same
//   markup; the page title follows the count).
// - /chat/:room: the chat of examples/chat as LiveViewJS writes it: every tab subscribes to the
//   room's topic on the LiveViewJS pubsub; `join` (a name) and `say` (a message, broadcast to
//   the room) as in ours, the last 100 messages kept. LiveViewJS has neither streams nor
//   presence, so the message list is an assign that every push re-sends, and there is no
//   "who is online" list (which makes its pushes smaller, not larger).
//
//   node server.mjs [--port 4001]      (or PORT=4001 node server.mjs)
//
// Set up as the @liveviewjs/express README does, with one change: instead of express-session
// with a MemoryStore (which keeps one server-side session per page load, forever), each request
// gets a fresh, unstored session object. LiveViewJS carries the session to the websocket join in
// the signed `data-phx-session` token anyway, so nothing is lost for this view, and LiveViewJS
// is measured at its leanest.

import { createServer } from "node:http";
import { parseArgs } from "node:util";

// On import, liveviewjs fetches a MIME table (for file uploads) from a CDN. The counter has no
// uploads and the benchmark must not touch the network, so that one request is answered here
// with an empty table. Everything else goes to the real fetch.
const MIME_DB_URL = "https://cdn.jsdelivr.net/gh/jshttp/mime-db@master/db.json";
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) =>
  String(url) === MIME_DB_URL
    ? Promise.resolve(new Response("{}", { headers: { "content-type": "application/json" } }))
    : realFetch(url, init);

const { NodeExpressLiveViewServer } = await import("@liveviewjs/express");
const { default: express } = await import("express");
const { createLiveView, html, join, SingleProcessPubSub } = await import("liveviewjs");
const { WebSocketServer } = await import("ws");

const { values } = parseArgs({
  options: { port: { type: "string" }, host: { type: "string" } },
});
const port = Number(values.port ?? process.env.PORT ?? 4001);
const host = values.host ?? process.env.HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`bad port: ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

const counter = createLiveView({
  mount: (socket) => {
    socket.assign({ count: 0 });
    socket.pageTitle("Counter");
  },
  handleEvent: (event, socket) => {
    const { count } = socket.context;
    switch (event.type) {
      case "inc":
        socket.assign({ count: count + 1 });
        break;
      case "dec":
        socket.assign({ count: count - 1 });
        break;
      case "reset":
        socket.assign({ count: 0 });
        break;
      default:
        throw new Error(`unknown event ${event.type}`);
    }
    socket.pageTitle(`Count: ${socket.context.count}`);
  },
  render: (ctx) =>
    html`<main class="counter"><h1>Count: <span id="count">${ctx.count}</span></h1><button id="dec" phx-click="dec">-</button><button id="inc" phx-click="inc">+</button><button id="reset" phx-click="reset">Reset</button></main>`,
});

// The pubsub every chat tab subscribes through (the server's own, passed in below).
const pubSub = new SingleProcessPubSub();
const KEEP = 100;
const MAX_TEXT = 500;
const MAX_NAME = 24;
const roomOf = (room) => (typeof room === "string" && /^[A-Za-z0-9_-]{1,32}$/.test(room) ? room : "lobby");
let nonce = 0;

const chat = createLiveView({
  mount: async (socket, _session, params) => {
    const room = roomOf(params.room);
    socket.assign({ room, name: null, messages: [], sent: 0, nonce: ++nonce, error: "" });
    if (socket.connected) {
      await socket.subscribe(`chat:${room}`);
    }
    socket.pageTitle(`Chat: ${room}`);
  },
  handleEvent: async (event, socket) => {
    const ctx = socket.context;
    switch (event.type) {
      case "join": {
        const name = String(event.name ?? "").trim();
        if (name.length === 0 || name.length > MAX_NAME) {
          socket.assign({ error: `A name is 1 to ${MAX_NAME} characters.` });
        } else {
          socket.assign({ name, error: "" });
        }
        break;
      }
      case "typing":
        break;
      case "say": {
        if (!ctx.name) break;
        const text = String(event.text ?? "").trim();
        if (text.length > MAX_TEXT) {
          socket.assign({ error: `A message is at most ${MAX_TEXT} characters.` });
        } else if (text.length > 0) {
          const sent = ctx.sent + 1;
          socket.assign({ sent, error: "" });
          const id = `msg-${ctx.nonce.toString(16)}-${sent}-${ctx.name.length}`;
          await pubSub.broadcast(`chat:${ctx.room}`, { type: "said", id, from: ctx.name, text });
        }
        break;
      }
      default:
        throw new Error(`unknown event ${event.type}`);
    }
  },
  handleInfo: (info, socket) => {
    if (info.type === "said") {
      socket.assign({ messages: [...socket.context.messages, info].slice(-KEEP) });
    }
  },
  render: (ctx) =>
    html`<main id="chat"><header><h1>#${ctx.room}</h1></header><ul id="messages">${join(
      ctx.messages.map(
        (m) => html`<li id="${m.id}" class="message"><b class="from">${m.from}</b> <span class="text">${m.text}</span></li>`,
      ),
      "",
    )}</ul><p id="chat-error" class="error">${ctx.error}</p>${
      ctx.name
        ? html`<form id="say" phx-submit="say" phx-change="typing"><input type="text" id="text-${ctx.sent}" name="text" placeholder="Say something" autocomplete="off" /><button type="submit">Send</button></form>`
        : html`<form id="join" phx-submit="join"><input type="text" name="name" placeholder="Your name" autocomplete="off" /><button type="submit">Join</button></form>`
    }</main>`,
});

const router = { "/counter": counter, "/chat": chat, "/chat/:room": chat };

// The page around the view, shaped like Liveplug's: charset, viewport, the CSRF token, the
// title, the container.
const pageTemplate = (title, csrfToken, content) => html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="csrf-token" content="${csrfToken}">
<title>${title.title}</title>
</head>
<body>
${content}
</body>
</html>
`;

const signingSecret = process.env.LIVEVIEWJS_SECRET ?? "liveplug-compare-not-a-secret-0123456789";
const liveView = new NodeExpressLiveViewServer(router, pageTemplate, { title: "Counter" }, {
  serDeSigningSecret: signingSecret,
  pubSub,
  onError: (err) => console.error("liveviewjs:", err),
});

const app = express();
app.disable("x-powered-by");
app.use((req, _res, next) => {
  req.session = {};
  next();
});
app.use(liveView.httpMiddleware());
app.use((_req, res) => res.status(404).type("text/plain").send("not found\n"));

const httpServer = createServer(app);
const wsServer = new WebSocketServer({ server: httpServer, path: "/live/websocket" });
liveView.wsMiddleware()(wsServer);

httpServer.listen(port, host, () => {
  console.log(`LiveViewJS listening on http://${host}:${port}/counter`);
});

const stop = () => {
  wsServer.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
