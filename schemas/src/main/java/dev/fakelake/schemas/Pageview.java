package dev.fakelake.schemas;

import com.google.auto.value.AutoValue;
import org.apache.beam.sdk.schemas.AutoValueSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldName;
import org.apache.beam.sdk.schemas.annotations.SchemaFieldNumber;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/** One page request of the e-shop web site, as its access log or click stream reports it. */
@DefaultSchema(AutoValueSchema.class)
@AutoValue
public abstract class Pageview {

  @SchemaFieldNumber("0")
  @SchemaFieldName("event_id")
  public abstract String getEventId();

  @SchemaFieldNumber("1")
  @SchemaFieldName("user_id")
  public abstract long getUserId();

  @SchemaFieldNumber("2")
  @SchemaFieldName("session_id")
  public abstract String getSessionId();

  @SchemaFieldNumber("3")
  @SchemaFieldName("url")
  public abstract String getUrl();

  @SchemaFieldNumber("4")
  @SchemaFieldName("http_method")
  public abstract String getHttpMethod();

  @SchemaFieldNumber("5")
  @SchemaFieldName("client_ip")
  public abstract @Nullable String getClientIp();

  @SchemaFieldNumber("6")
  @SchemaFieldName("user_agent")
  public abstract @Nullable String getUserAgent();

  @SchemaFieldNumber("7")
  @SchemaFieldName("latency_ms")
  public abstract int getLatencyMs();

  @SchemaFieldNumber("8")
  @SchemaFieldName("event_time")
  public abstract Instant getEventTime();

  public abstract Builder toBuilder();

  public static Builder builder() {
    return new AutoValue_Pageview.Builder();
  }

  /** Builds a {@link Pageview}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setEventId(String value);

    public abstract Builder setUserId(long value);

    public abstract Builder setSessionId(String value);

    public abstract Builder setUrl(String value);

    public abstract Builder setHttpMethod(String value);

    public abstract Builder setClientIp(@Nullable String value);

    public abstract Builder setUserAgent(@Nullable String value);

    public abstract Builder setLatencyMs(int value);

    public abstract Builder setEventTime(Instant value);

    public abstract Pageview build();
  }
}
