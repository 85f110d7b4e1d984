// Minqing web chat page: plain browser JavaScript, no build step, nothing from elsewhere.
// It speaks Botkit's web-client protocol over a websocket at /ws:
//   out  { type: 'hello' | 'welcome_back' | 'reconnect' | 'message', user, messageId,
//          text | action (+ label) | media: [{ kind: 'photo' | 'voice', ref }] | location: { latitude, longitude } }
//   in   { type: 'message', text, quick_replies: [{ title, payload }], files: [{ kind, url }] },
//        { type: 'echo', messageId, text | label | files | location } (what this user sent from another tab),
//        { type: 'ack', messageId }, { type: 'error', error }
// Photos and voice notes are uploaded first (POST /api/uploads, naming the user in
// X-Minqing-User) and sent as their URL.
// The user id, the transcript and the messages not yet acknowledged live in localStorage,
// so a reload (or a lost connection) keeps the conversation and resends what was not received.
'use strict';

(() => {
  const USER_KEY = 'minqing.web.user';
  const LOG_KEY = 'minqing.web.transcript';
  const PENDING_KEY = 'minqing.web.pending';
  const MAX_LOG = 300;
  const MAX_IMAGE = 5 * 1024 * 1024;
  /** The longest voice note, in seconds. */
  const MAX_VOICE_SECONDS = 60;
  /** Shorter than this is a slip of the finger, not a message. */
  const MIN_VOICE_MS = 1000;
  /** Opus at 32 kbit/s: clear speech, a minute in ~240 KB. */
  const VOICE_BITS_PER_SECOND = 32000;
  const TEXT = {
    tooBig: '图片太大，请发送 5 MB 以内的照片 / the picture is too large: the limit is 5 MB',
    notImage: '这不是图片，请选择照片 / that is not a picture: please pick a photo',
    uploadFailed: '照片没有发出去，请重试 / the photo could not be sent, please try again',
    uploading: '正在上传照片… / uploading the photo…',
    connecting: '正在连接… / connecting…',
    sendingVoice: '正在发送语音… / sending the voice note…',
    voiceFailed: '语音没有发出去，请重试 / the voice note could not be sent, please try again',
    voiceTooShort: '录音太短，请再录一次 / the recording was too short: please try again',
    micRefused:
      '没有得到麦克风权限，不能录音。可以在浏览器设置里允许，或者直接打字、发照片 / the microphone was not allowed, so nothing was recorded: allow it in the browser settings, or type or send a photo instead',
    noMic: '没有找到麦克风。可以直接打字或发照片 / no microphone was found: you can type or send a photo instead',
    micFailed: '麦克风打不开，请再试一次，或者直接打字 / the microphone could not be started: try again, or type instead',
    noRecorder: '这个浏览器不能录音，请直接打字或发照片 / this browser cannot record voice notes: please type or send a photo',
    recorderNeedsHttps: '录音需要安全连接（https 网址），请直接打字或发照片 / recording needs a secure (https) page: please type or send a photo',
    secondsLeft: (s) => `还剩 ${s} 秒 · ${s} s left`,
    locating: '正在获取位置… / finding your location…',
    myLocation: '📍 我的位置 / my location',
    locationRefused:
      '没有得到位置权限。可以直接打字告诉我们地点，比如“东湖村村口” / the location was not allowed: you can type the place instead, e.g. "by the gate of Donghu village"',
    locationUnavailable: '暂时获取不到位置。可以直接打字告诉我们地点 / the location is not available right now: you can type the place instead',
    noLocation: '这个浏览器不能发送位置。可以直接打字告诉我们地点 / this browser cannot share a location: you can type the place instead',
    locationNeedsHttps: '发送位置需要安全连接（https 网址）。可以直接打字告诉我们地点 / sharing a location needs a secure (https) page: you can type the place instead',
    photoAlt: '照片 photo',
    voiceLabel: '语音 voice note',
    voiceFile: '🎤 语音（微信格式，网页不能播放，点此下载）/ voice note (WeChat format: download it to listen)',
  };

  const $ = (id) => document.getElementById(id);
  const logView = $('log');
  const form = $('composer');
  const input = $('text');
  const photo = $('photo');
  const voice = $('voice');
  const place = $('place');
  const recorderBar = $('recorder');
  const countdown = $('countdown');
  const status = $('status');
  const hint = $('hint');

  function read(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  }
  function write(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Storage full or disabled: the chat still works, it just forgets on reload.
    }
  }
  function load(key, fallback) {
    try {
      const value = JSON.parse(read(key) || 'null');
      return Array.isArray(value) ? value : fallback;
    } catch {
      return fallback;
    }
  }
  function randomId() {
    // getRandomValues works on plain http too (randomUUID needs a secure context).
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  let user = read(USER_KEY);
  if (!user || !/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,63}$/.test(user)) {
    user = 'w' + randomId();
    write(USER_KEY, user);
  }
  let transcript = load(LOG_KEY, []);
  let pending = load(PENDING_KEY, []);
  let socket = null;
  let inflight = null;
  let attempt = 0;
  let connectedOnce = false;

  // ---- the conversation on screen ----

  /** Whether the view follows the newest message (false once the reader scrolls up to read). */
  let following = true;
  /** Where toEnd() last put the view: the scroll event that follows is ours, not the reader's. */
  let placed = -1;
  logView.addEventListener('scroll', () => {
    // Our own scroll arrives a frame late, maybe after a picture above grew the transcript:
    // it must not read as the reader leaving the bottom.
    if (logView.scrollTop === placed) return;
    placed = -1;
    following = logView.scrollHeight - logView.scrollTop - logView.clientHeight < 80;
  });
  function toEnd() {
    logView.scrollTop = logView.scrollHeight;
    placed = logView.scrollTop;
    following = true;
  }
  /** A picture or a player grows its message once loaded: stay at the newest message if we were there. */
  function keepAtEnd(media) {
    const again = () => {
      if (following) toEnd();
    };
    media.addEventListener('load', again);
    media.addEventListener('loadedmetadata', again);
    media.addEventListener('error', again);
  }

  /** Only stored uploads (`/uploads/…`) are shown: the page loads nothing from elsewhere. */
  function isUpload(url) {
    return typeof url === 'string' && /^\/uploads\/[0-9a-f]{64}\.\w+$/.test(url);
  }

  function mediaElement(file) {
    if (!isUpload(file.url)) return null;
    if (file.kind === 'voice' && /\.(?:silk|amr)$/.test(file.url)) {
      // WeChat's own codecs: no browser plays them, so they are offered as a file.
      const link = document.createElement('a');
      link.className = 'file';
      link.href = file.url;
      link.download = '';
      link.textContent = TEXT.voiceFile;
      return link;
    }
    if (file.kind === 'voice') {
      const audio = document.createElement('audio');
      audio.controls = true;
      audio.preload = 'metadata';
      audio.src = file.url;
      audio.setAttribute('aria-label', TEXT.voiceLabel);
      keepAtEnd(audio);
      showDuration(audio);
      return audio;
    }
    const img = document.createElement('img');
    img.src = file.url;
    img.alt = TEXT.photoAlt;
    keepAtEnd(img);
    return img;
  }

  /**
   * A browser's own recording (WebM) carries no duration, so the player would show 0:00
   * until played: seeking past the end makes the browser read it, then back to the start.
   */
  function showDuration(audio) {
    audio.addEventListener('loadedmetadata', () => {
      if (audio.duration !== Infinity) return;
      audio.addEventListener('durationchange', function back() {
        if (audio.duration === Infinity) return;
        audio.removeEventListener('durationchange', back);
        audio.currentTime = 0;
      });
      audio.currentTime = 1e101;
    });
  }

  /** The files of an entry (older transcripts kept a photo as `photo`). */
  function filesOf(entry) {
    const files = Array.isArray(entry.files) ? entry.files.slice() : [];
    if (entry.photo) files.push({ kind: 'photo', url: entry.photo });
    return files;
  }

  function locationText(location) {
    const lat = Number(location.latitude).toFixed(5);
    const lon = Number(location.longitude).toFixed(5);
    return `${TEXT.myLocation}\n${lat}, ${lon}`;
  }

  function element(entry) {
    const row = document.createElement('div');
    row.className = 'msg ' + entry.who + (entry.pending ? ' pending' : '');
    if (entry.id) row.dataset.id = entry.id;
    const bubble = document.createElement('div');
    bubble.className = 'bubble';
    const text = entry.location ? locationText(entry.location) : entry.text;
    if (text) {
      const words = document.createElement('div');
      words.className = 'words';
      words.textContent = text;
      bubble.append(words);
    }
    for (const file of filesOf(entry)) {
      const media = mediaElement(file);
      if (media) bubble.append(media);
    }
    row.append(bubble);
    if (entry.who === 'bot' && entry.choices && entry.choices.length) {
      const box = document.createElement('div');
      box.className = 'choices';
      for (const choice of entry.choices) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = choice.title;
        button.addEventListener('click', () => choose(choice));
        box.append(button);
      }
      row.append(box);
    }
    return row;
  }

  /**
   * The buttons of the bot's latest message that has buttons stay live until the user
   * sends something (from any tab): a later message without buttons (a progress note)
   * does not change what they answer. Older buttons are greyed out.
   */
  function refresh() {
    hint.hidden = transcript.length > 0;
    const rows = Array.from(logView.querySelectorAll('.msg'));
    let live = -1;
    rows.forEach((row, i) => {
      if (row.classList.contains('bot') && row.querySelector('.choices')) live = i;
      else if (row.classList.contains('me')) live = -1;
    });
    rows.forEach((row, i) => {
      for (const button of row.querySelectorAll('.choices button')) button.disabled = i !== live;
    });
    toEnd();
  }

  function add(entry) {
    transcript.push(entry);
    if (transcript.length > MAX_LOG) transcript = transcript.slice(-MAX_LOG);
    write(LOG_KEY, JSON.stringify(transcript));
    logView.append(element(entry));
    refresh();
  }

  function note(text) {
    add({ who: 'note', text });
  }

  function markDone(messageId) {
    for (const entry of transcript) if (entry.id === messageId) entry.pending = false;
    write(LOG_KEY, JSON.stringify(transcript));
    const row = logView.querySelector(`[data-id="${messageId}"]`);
    if (row) row.classList.remove('pending');
  }

  // ---- sending, one message at a time, each until acknowledged ----

  function sendMessage(fields, entry) {
    const messageId = randomId();
    pending.push({ ...fields, messageId, timestamp: Date.now() });
    write(PENDING_KEY, JSON.stringify(pending));
    add({ ...entry, id: messageId, pending: true });
    pump();
  }

  function pump() {
    if (!socket || socket.readyState !== WebSocket.OPEN || inflight || !pending.length) return;
    const frame = pending[0];
    inflight = frame.messageId;
    socket.send(JSON.stringify({ type: 'message', user, channel: 'socket', ...frame }));
  }

  function settled(messageId) {
    pending = pending.filter((f) => f.messageId !== messageId);
    write(PENDING_KEY, JSON.stringify(pending));
    markDone(messageId);
    if (inflight === messageId) inflight = null;
    pump();
  }

  function choose(choice) {
    sendMessage({ action: choice.payload, label: choice.title }, { who: 'me', text: choice.title });
  }

  /** A message this user sent from another tab: shown once, as their own. */
  function echoed(message) {
    const id = typeof message.messageId === 'string' ? message.messageId : undefined;
    if (id && transcript.some((entry) => entry.id === id)) return;
    const entry = { who: 'me' };
    if (id) entry.id = id;
    const text = message.label || message.text;
    if (text) entry.text = String(text);
    if (Array.isArray(message.files)) entry.files = message.files.map((f) => ({ kind: f.kind === 'voice' ? 'voice' : 'photo', url: String(f.url) }));
    if (message.location && Number.isFinite(message.location.latitude) && Number.isFinite(message.location.longitude)) {
      entry.location = { latitude: message.location.latitude, longitude: message.location.longitude };
    }
    add(entry);
  }

  // ---- the connection ----

  function connect() {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
    socket = ws;
    ws.addEventListener('open', () => {
      attempt = 0;
      status.hidden = true;
      const type = connectedOnce ? 'reconnect' : transcript.length ? 'welcome_back' : 'hello';
      connectedOnce = true;
      ws.send(JSON.stringify({ type, user, channel: 'socket' }));
      inflight = null;
      pump();
    });
    ws.addEventListener('message', (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'message') {
        // A message shown already (its answer sent again to a resent message, say) is shown once.
        const id = typeof message.id === 'string' ? message.id : undefined;
        if (id && transcript.some((entry) => entry.id === id)) return;
        const choices = Array.isArray(message.quick_replies) ? message.quick_replies.map((q) => ({ title: String(q.title), payload: String(q.payload) })) : [];
        const files = Array.isArray(message.files) ? message.files.map((f) => ({ kind: f.kind === 'voice' ? 'voice' : 'photo', url: String(f.url) })) : [];
        add({ who: 'bot', text: String(message.text ?? ''), choices, ...(files.length ? { files } : {}), ...(id ? { id } : {}) });
      } else if (message.type === 'echo') {
        echoed(message);
      } else if (message.type === 'ack') {
        settled(message.messageId);
      } else if (message.type === 'error') {
        note(String(message.error));
        // A refused message is not resent: the note says what to do instead.
        const failed = message.messageId || inflight;
        if (failed) settled(failed);
      }
    });
    ws.addEventListener('close', () => {
      if (socket === ws) socket = null;
      inflight = null;
      status.textContent = TEXT.connecting;
      status.hidden = false;
      setTimeout(connect, Math.min(10_000, 500 * 2 ** attempt++));
    });
  }

  function showStatus(text) {
    status.textContent = text;
    status.hidden = false;
  }
  function clearStatus() {
    status.textContent = TEXT.connecting;
    status.hidden = Boolean(socket && socket.readyState === WebSocket.OPEN);
  }

  /** Resolves once the socket is open (the server then knows this page's chat), or after `ms`. */
  function connected(ms) {
    return new Promise((resolve) => {
      const started = Date.now();
      const check = () => {
        if ((socket && socket.readyState === WebSocket.OPEN) || Date.now() - started > ms) resolve();
        else setTimeout(check, 100);
      };
      check();
    });
  }

  /**
   * Uploads a photo or a recording, then sends it as the user's message. The upload
   * names this page's user (the server takes uploads only from a chat that is open);
   * a refusal (too many at once, the day's limit) shows as a note.
   */
  async function upload(body, type, kind) {
    const failed = kind === 'voice' ? TEXT.voiceFailed : TEXT.uploadFailed;
    showStatus(kind === 'voice' ? TEXT.sendingVoice : TEXT.uploading);
    try {
      await connected(10000);
      const response = await fetch('/api/uploads', { method: 'POST', headers: { 'content-type': type, 'x-minqing-user': user }, body });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok || typeof answer.url !== 'string') return note(answer.error || failed);
      sendMessage({ media: [{ kind, ref: answer.url }] }, { who: 'me', files: [{ kind, url: answer.url }] });
    } catch {
      note(failed);
    } finally {
      clearStatus();
    }
  }

  // ---- input: text, photos ----

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    sendMessage({ text }, { who: 'me', text });
  });

  photo.addEventListener('change', () => {
    const file = photo.files && photo.files[0];
    photo.value = '';
    if (!file) return;
    if (!file.type.startsWith('image/')) return note(TEXT.notImage);
    if (file.size > MAX_IMAGE) return note(TEXT.tooBig);
    void upload(file, file.type, 'photo');
  });

  // ---- voice notes: tap to record, up to a minute, then send or cancel ----

  let recording = null;

  /** Opus in OGG where the browser records it (Telegram shows that as a voice message), else WebM, else MP4 (Safari). */
  function recorderType() {
    const wanted = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/mp4', 'audio/webm'];
    return wanted.find((type) => typeof MediaRecorder.isTypeSupported === 'function' && MediaRecorder.isTypeSupported(type));
  }

  function showRecorder(on) {
    recorderBar.hidden = !on;
    form.hidden = on;
    if (on) $('rec-send').focus();
  }

  function tick() {
    if (!recording) return;
    const left = Math.max(0, Math.ceil(MAX_VOICE_SECONDS - (Date.now() - recording.started) / 1000));
    countdown.textContent = TEXT.secondsLeft(left);
    // At the limit the recording ends and goes, as if Send was tapped.
    if (left <= 0) stopRecording(true);
  }

  async function startRecording() {
    if (recording) return;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function' || typeof window.MediaRecorder !== 'function') {
      return note(window.isSecureContext === false ? TEXT.recorderNeedsHttps : TEXT.noRecorder);
    }
    voice.disabled = true;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const name = error && error.name;
      return note(name === 'NotAllowedError' || name === 'SecurityError' ? TEXT.micRefused : name === 'NotFoundError' ? TEXT.noMic : TEXT.micFailed);
    } finally {
      voice.disabled = false;
    }
    const type = recorderType();
    let recorder;
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: VOICE_BITS_PER_SECOND } : undefined);
    } catch {
      for (const track of stream.getTracks()) track.stop();
      return note(TEXT.micFailed);
    }
    const state = { recorder, stream, chunks: [], started: Date.now(), send: false, timer: 0 };
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data && event.data.size) state.chunks.push(event.data);
    });
    recorder.addEventListener('stop', () => void finishRecording(state));
    recording = state;
    recorder.start(1000);
    showRecorder(true);
    tick();
    state.timer = setInterval(tick, 250);
  }

  /** Ends the recording: `send` uploads it, else it is thrown away. */
  function stopRecording(send) {
    const state = recording;
    if (!state) return;
    recording = null;
    state.send = send;
    state.stopped = Date.now();
    clearInterval(state.timer);
    if (state.recorder.state !== 'inactive') state.recorder.stop();
    for (const track of state.stream.getTracks()) track.stop();
    showRecorder(false);
  }

  async function finishRecording(state) {
    if (!state.send) return;
    if ((state.stopped || Date.now()) - state.started < MIN_VOICE_MS || !state.chunks.length) return note(TEXT.voiceTooShort);
    const type = state.recorder.mimeType || state.chunks[0].type || 'audio/webm';
    const blob = new Blob(state.chunks, { type });
    await upload(blob, type, 'voice');
  }

  voice.addEventListener('click', () => void startRecording());
  $('rec-send').addEventListener('click', () => stopRecording(true));
  $('rec-cancel').addEventListener('click', () => stopRecording(false));

  // ---- location ----

  function shareLocation() {
    if (window.isSecureContext === false) return note(TEXT.locationNeedsHttps);
    if (!navigator.geolocation) return note(TEXT.noLocation);
    place.disabled = true;
    showStatus(TEXT.locating);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        place.disabled = false;
        clearStatus();
        // Six decimals is about ten centimetres: more is noise.
        const latitude = Math.round(position.coords.latitude * 1e6) / 1e6;
        const longitude = Math.round(position.coords.longitude * 1e6) / 1e6;
        sendMessage({ location: { latitude, longitude } }, { who: 'me', location: { latitude, longitude } });
      },
      (error) => {
        place.disabled = false;
        clearStatus();
        note(error && error.code === 1 ? TEXT.locationRefused : TEXT.locationUnavailable);
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  }

  place.addEventListener('click', shareLocation);

  for (const entry of transcript) logView.append(element(entry));
  refresh();
  connect();
})();
