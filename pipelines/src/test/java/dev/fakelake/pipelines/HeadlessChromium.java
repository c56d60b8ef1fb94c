package dev.fakelake.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol: opens a page, waits for its load
 * event, and reports every image with its natural size, every console error, uncaught exception and
 * error logged by the browser, and every URL the page requested; it also takes a screenshot of the
 * whole page. Only the JDK's WebSocket client is needed.
 */
final class HeadlessChromium implements AutoCloseable {

  /** One {@code <img>} of the page after load. */
  record Image(String source, boolean complete, int naturalWidth, int naturalHeight, String alt) {}

  /** What the browser saw while loading a page. */
  record PageCheck(
      List<Image> images, List<String> errors, List<String> requestedUrls, byte[] screenshot) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new ArrayList<>();

  private HeadlessChromium(Process process, Path profile, String browserUrl) {
    this.process = process;
    this.profile = profile;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(TIMEOUT)
            .buildAsync(URI.create(browserUrl), new Listener())
            .join();
  }

  /**
   * The Chromium binary on the PATH.
   *
   * @throws IllegalStateException saying how to install it, when there is none
   */
  static Path binary() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    throw new IllegalStateException(
        "Chromium is not installed, so the report cannot be opened in a browser. The build"
            + " installs Debian's package before the integration tests"
            + " (pipelines/src/test/sh/ensure-chromium.sh, which needs root); install it with"
            + " apt-get install -y --no-install-recommends chromium");
  }

  /** Starts a headless Chromium with a fresh profile, reachable only from this machine. */
  static HeadlessChromium start() throws IOException {
    Path profile = Files.createTempDirectory("fakelake-chromium");
    Process process =
        new ProcessBuilder(
                binary().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    CompletableFuture<String> url = new CompletableFuture<>();
    List<String> stderr = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (stderr) {
                    stderr.add(line);
                  }
                  Matcher matcher = LISTENING.matcher(line);
                  if (matcher.find()) {
                    url.complete(matcher.group(1));
                  }
                }
              } catch (IOException e) {
                url.completeExceptionally(e);
              }
              url.completeExceptionally(new IllegalStateException("Chromium exited"));
            },
            "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      return new HeadlessChromium(process, profile, url.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
      process.destroyForcibly();
      delete(profile);
      synchronized (stderr) {
        throw new IllegalStateException(
            "Headless Chromium did not start its DevTools endpoint: "
                + e
                + "\n"
                + String.join("\n", stderr),
            e);
      }
    }
  }

  /**
   * Opens {@code page} in a new tab {@code width} CSS pixels wide and checks it once it has loaded.
   */
  PageCheck check(Path page, int width) throws Exception {
    JsonNode target = call(null, "Target.createTarget", Map.of("url", "about:blank"));
    String session =
        call(
                null,
                "Target.attachToTarget",
                Map.of("targetId", target.path("targetId").asText(), "flatten", true))
            .path("sessionId")
            .asText();
    for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
      call(session, domain + ".enable", Map.of());
    }
    call(
        session,
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
    String url = page.toUri().toString();
    JsonNode navigated = call(session, "Page.navigate", Map.of("url", url));
    if (navigated.hasNonNull("errorText")) {
      throw new IllegalStateException("Chromium could not open " + url + ": " + navigated);
    }
    awaitLoaded(session, url);

    JsonNode result =
        call(
            session,
            "Runtime.evaluate",
            Map.of(
                "expression",
                "JSON.stringify(Array.from(document.images).map(i => ({source: i.src.substring(0,"
                    + " 40), complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight:"
                    + " i.naturalHeight, alt: i.alt})))",
                "returnByValue",
                true));
    List<Image> images = new ArrayList<>();
    for (JsonNode image : MAPPER.readTree(result.path("result").path("value").asText())) {
      images.add(MAPPER.treeToValue(image, Image.class));
    }

    JsonNode size = call(session, "Page.getLayoutMetrics", Map.of()).path("cssContentSize");
    ObjectNode clip = MAPPER.createObjectNode();
    clip.put("x", 0).put("y", 0).put("scale", 1);
    clip.put("width", size.path("width").asDouble()).put("height", size.path("height").asDouble());
    byte[] screenshot =
        Base64.getDecoder()
            .decode(
                call(
                        session,
                        "Page.captureScreenshot",
                        Map.of("format", "png", "captureBeyondViewport", true, "clip", clip))
                    .path("data")
                    .asText());

    List<String> errors = new ArrayList<>();
    List<String> requested = new ArrayList<>();
    synchronized (events) {
      for (JsonNode event : events) {
        JsonNode params = event.path("params");
        switch (event.path("method").asText()) {
          case "Runtime.consoleAPICalled" -> {
            String type = params.path("type").asText();
            if (type.equals("error") || type.equals("assert")) {
              errors.add("console." + type + ": " + params.path("args"));
            }
          }
          case "Runtime.exceptionThrown" ->
              errors.add("uncaught: " + params.path("exceptionDetails"));
          case "Log.entryAdded" -> {
            JsonNode entry = params.path("entry");
            if (entry.path("level").asText().equals("error")) {
              errors.add(
                  "log ("
                      + entry.path("source").asText()
                      + "): "
                      + entry.path("text").asText()
                      + " "
                      + entry.path("url").asText());
            }
          }
          case "Network.loadingFailed" ->
              errors.add(
                  "loading failed: "
                      + params.path("errorText").asText()
                      + " ("
                      + params.path("type").asText()
                      + ")");
          case "Network.requestWillBeSent" -> {
            String requestUrl = params.path("request").path("url").asText();
            requested.add(
                requestUrl.startsWith("data:") ? requestUrl.substring(0, 22) : requestUrl);
          }
          default -> {}
        }
      }
    }
    return new PageCheck(images, errors, requested, screenshot);
  }

  /** Waits until the tab shows {@code url} and its load event has run. */
  private void awaitLoaded(String session, String url) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    String expression =
        "document.readyState === 'complete' && location.href === " + MAPPER.writeValueAsString(url);
    while (!call(
            session, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true))
        .path("result")
        .path("value")
        .asBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(url + " did not load within " + TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  private JsonNode call(String session, String method, Map<String, Object> params)
      throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = MAPPER.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", MAPPER.valueToTree(params));
    if (session != null) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    socket.sendText(MAPPER.writeValueAsString(message), true).get();
    JsonNode answer = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IllegalStateException(method + " failed: " + answer.path("error"));
    }
    return answer.path("result");
  }

  /** Collects the fragments of each message, then answers a call or records an event. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder message = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      message.append(data);
      if (last) {
        try {
          JsonNode json = MAPPER.readTree(message.toString());
          if (json.has("id")) {
            Optional.ofNullable(pending.remove(json.path("id").asInt()))
                .ifPresent(reply -> reply.complete(json));
          } else {
            synchronized (events) {
              events.add(json);
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException("Unreadable DevTools message", e);
        }
        message.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      socket.sendText("{\"id\":0,\"method\":\"Browser.close\"}", true);
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      process.destroyForcibly();
      delete(profile);
    }
  }

  private static void delete(Path folder) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }
}
