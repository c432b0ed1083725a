// Grimnir dashboard: plain browser JavaScript over the public API, the
// authenticated API and the /api/v1/events WebSocket. No framework, no build.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { token: null, stationId: null, emergencyId: null, ws: null };

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (state.token) headers.authorization = "Bearer " + state.token;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    ...options,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (res.status === 204) return null;
  const body = await res.json();
  if (!res.ok) throw new Error((body.error && body.error.message) || res.statusText);
  return body;
}

const fmt = (ms) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
};

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const login = await api("/api/v1/auth/login", {
      method: "POST",
      body: { username: $("username").value, password: $("password").value },
    });
    state.token = login.accessToken;
    $("user").textContent = login.user.username;
    const stations = await api("/api/v1/stations");
    const list = Array.isArray(stations) ? stations : stations.items || stations.stations || [];
    if (list.length === 0) throw new Error("no station visible to this user");
    state.stationId = list[0].id;
    $("station-name").textContent = list[0].name;
    $("login").hidden = true;
    $("app").hidden = false;
    start();
  } catch (err) {
    $("login-error").textContent = String(err.message || err);
  }
});

function start() {
  refresh();
  setInterval(refresh, 1000);
  refreshChart();
  setInterval(refreshChart, 60000);
  connectEvents();
}

async function refresh() {
  const q = encodeURIComponent(state.stationId);
  try {
    const np = await api("/api/v1/public/now-playing?station=" + q);
    const now = np.nowPlaying;
    if (now) {
      $("now-title").textContent = now.title || "–";
      $("now-artist").textContent = now.artist || "";
      $("source").textContent = now.source;
      $("source").className = "badge" + (now.source === "emergency" ? " emergency" : "");
      const elapsed = Date.now() - Date.parse(now.startedAt);
      if (now.durationMs) {
        $("now-progress").value = Math.min(1, elapsed / now.durationMs);
        $("now-time").textContent =
          fmt(Math.min(elapsed, now.durationMs)) + " / " + fmt(now.durationMs);
      }
    }
    const ex = await api("/api/v1/executor?stationId=" + q);
    const live = ex.live || {};
    $("executor-state").textContent = live.state || ex.state;
    $("executor-detail").textContent =
      "on air: " +
      ((live.onAir && (live.onAir.title || live.onAir.id)) || "–") +
      " · owner " +
      (ex.ownerId || "–") +
      " (token " +
      (ex.fencingToken ?? "–") +
      ")";
    const emergency = (live.sources || []).find((s) => s.id.startsWith("emergency:"));
    state.emergencyId = emergency ? emergency.id : null;
    $("release").disabled = !state.emergencyId;
    const sched = await api("/api/v1/public/schedule?station=" + q);
    const upcoming = sched.entries.filter((e) => Date.parse(e.startsAt) > Date.now()).slice(0, 5);
    $("next").replaceChildren(
      ...upcoming.map((e) => {
        const li = document.createElement("li");
        li.textContent =
          new Date(e.startsAt).toLocaleTimeString() +
          " — " +
          (e.artist ? e.artist + " – " : "") +
          (e.title || e.kind);
        return li;
      }),
    );
  } catch (err) {
    $("control-error").textContent = String(err.message || err);
  }
}

function meter(side, db) {
  const pct = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
  $("meter-" + side).style.width = pct + "%";
  $("meter-" + side + "-db").textContent = Number.isFinite(db) ? db.toFixed(1) + " dB" : "–";
}

function connectEvents() {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const url =
    proto +
    "//" +
    location.host +
    "/api/v1/events?token=" +
    encodeURIComponent(state.token) +
    "&stations=" +
    encodeURIComponent(state.stationId) +
    "&topics=metrics,executor.state,now_playing";
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    $("ws-state").textContent = "events: connected";
  };
  ws.onclose = () => {
    $("ws-state").textContent = "events: disconnected, retrying";
    setTimeout(connectEvents, 2000);
  };
  ws.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.topic === "metrics") {
      meter("l", event.payload.levelLeftDb);
      meter("r", event.payload.levelRightDb);
      $("lufs").textContent =
        (Number.isFinite(event.payload.loudnessLufs)
          ? event.payload.loudnessLufs.toFixed(1)
          : "–") + " LUFS";
    } else if (event.topic === "executor.state") {
      $("executor-state").textContent = event.payload.to;
    }
  };
}

async function refreshChart() {
  const data = await api("/dashboard/loudness?station=" + encodeURIComponent(state.stationId));
  const canvas = $("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "#2a333d";
  ctx.fillStyle = "#8a96a3";
  ctx.font = "11px sans-serif";
  for (const lufs of [-10, -20, -30, -40, -50]) {
    const y = ((-10 - lufs) / 50) * h;
    ctx.beginPath();
    ctx.moveTo(0, y);
    ctx.lineTo(w, y);
    ctx.stroke();
    ctx.fillText(String(lufs), 2, y - 2);
  }
  const end = Date.now();
  const startAt = end - 24 * 3600 * 1000;
  ctx.strokeStyle = "#e9c46a";
  ctx.beginPath();
  data.minutes.forEach((m, i) => {
    const x = ((m.at - startAt) / (end - startAt)) * w;
    const y = Math.min(h, Math.max(0, ((-10 - m.lufs) / 50) * h));
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
    ctx.fillStyle = "#e9c46a";
    ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
  });
  ctx.stroke();
}

$("emergency").addEventListener("click", async () => {
  $("control-error").textContent = "";
  try {
    const entry = await api(
      "/api/v1/priority/emergency?stationId=" + encodeURIComponent(state.stationId),
      { method: "POST", body: { reason: "dashboard test" } },
    );
    state.emergencyId = entry.id;
    refresh();
  } catch (err) {
    $("control-error").textContent = String(err.message || err);
  }
});

$("release").addEventListener("click", async () => {
  if (!state.emergencyId) return;
  $("control-error").textContent = "";
  try {
    await api(
      "/api/v1/priority/" +
        encodeURIComponent(state.emergencyId) +
        "?stationId=" +
        encodeURIComponent(state.stationId),
      { method: "DELETE" },
    );
    refresh();
  } catch (err) {
    $("control-error").textContent = String(err.message || err);
  }
});
