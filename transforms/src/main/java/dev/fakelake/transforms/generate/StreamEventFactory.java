package dev.fakelake.transforms.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fakelake.schemas.Defect;
import dev.fakelake.schemas.Entity;
import dev.fakelake.schemas.Pageview;
import dev.fakelake.schemas.Rating;
import dev.fakelake.transforms.io.JsonRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Makes the messages of stream index {@code i}: a pageview, or (one time in eight) a rating of a
 * product by the user of a pageview sent shortly before, dirtied like the batch landing lines.
 *
 * <p>The records are those of {@link RecordFactory} at index {@link #RECORD_INDEX_OFFSET} {@code +
 * i}, so stream event ids never collide with the batch backfill's, and users and products fall
 * within the customers and products of the same spec. The content is a pure function of (seed, i,
 * start index, rate); only the event time is the wall-clock time of generation.
 *
 * <p>A rating refers to the pageview {@code rate x U[60, 840) s} indexes earlier, which at a steady
 * rate was sent 1 to 14 minutes before, so a 15-minute join finds it. When this run has not yet
 * generated that many, it refers to a uniformly chosen earlier pageview of this run (a shorter gap,
 * still within 15 minutes); the first event of a run cannot be a paired rating, so it keeps the
 * batch rating's user. A pageview chosen this way may itself carry late dirt: then the join misses
 * it, as it would in production.
 *
 * <p>Not thread-safe and not serializable: create one per DoFn instance in {@code @Setup}.
 */
final class StreamEventFactory {

  /** Stream records are records {@code OFFSET + i} of the batch factory: far past any batch. */
  static final long RECORD_INDEX_OFFSET = 1_000_000_000_000L;

  /** Share of stream events that are ratings. */
  static final double RATING_SHARE = 1.0 / 8;

  private static final int ENTITY_PURPOSE = 11;
  private static final int PAIRING_PURPOSE = 12;

  private final GenerationSpec spec;
  private final long startIndex;
  private final double rate;
  private final RecordFactory factory;
  private final Dirt dirt;
  private final ObjectMapper mapper = new ObjectMapper();
  private final SerializableFunction<Pageview, Row> pageviewToRow =
      JsonRecords.toRowFunction(Pageview.class);
  private final SerializableFunction<Rating, Row> ratingToRow =
      JsonRecords.toRowFunction(Rating.class);

  StreamEventFactory(GenerationSpec spec, long startIndex, double rate) {
    this.spec = spec;
    this.startIndex = startIndex;
    this.rate = rate;
    this.factory = new RecordFactory(spec);
    this.dirt = new Dirt(spec);
  }

  boolean isRating(long index) {
    return Seeds.unit(Seeds.of(spec.seed(), Entity.RATINGS, index, ENTITY_PURPOSE)) < RATING_SHARE;
  }

  /** The one message of index {@code i}, or two equal ones for an injected duplicate. */
  List<StreamEvent> events(long index, Instant now) {
    long recordIndex = RECORD_INDEX_OFFSET + index;
    Entity entity;
    long userId;
    ObjectNode json;
    if (isRating(index)) {
      entity = Entity.RATINGS;
      Rating rating = rating(index, now);
      userId = rating.getUserId();
      json = JsonRecords.toJson(ratingToRow.apply(rating), mapper);
    } else {
      entity = Entity.PAGEVIEWS;
      Pageview pageview = factory.pageview(recordIndex).toBuilder().setEventTime(now).build();
      userId = pageview.getUserId();
      json = JsonRecords.toJson(pageviewToRow.apply(pageview), mapper);
    }
    List<Defect> defects = new ArrayList<>();
    Dirt.Lines lines = dirt.apply(entity, recordIndex, json, defects::add);
    // Dirt shifts the event time in the JSON; a malformed line keeps the unshifted one.
    Instant eventTime = JsonRecords.parseInstant(json.get("event_time").asText());
    String key = Long.toString(userId);
    StreamEvent event =
        StreamEvent.of(index, entity.tableName(), key, lines.line(), eventTime, defects, false);
    if (!lines.duplicated()) {
      return List.of(event);
    }
    return List.of(
        event,
        StreamEvent.of(index, entity.tableName(), key, lines.line(), eventTime, defects, true));
  }

  /** The index of the pageview the rating at {@code index} refers to, or -1 if there is none. */
  long ratedPageview(long index) {
    long history = index - startIndex;
    if (history <= 0) {
      return -1;
    }
    SplittableRandom r =
        new SplittableRandom(Seeds.of(spec.seed(), Entity.RATINGS, index, PAIRING_PURPOSE));
    double gapSeconds = 60 + r.nextDouble() * 780;
    long back = Math.max(1, Math.round(gapSeconds * rate));
    if (back > history) {
      back = 1 + r.nextLong(history);
    }
    long pageview = index - back;
    while (pageview > startIndex && isRating(pageview)) {
      pageview--;
    }
    return isRating(pageview) ? -1 : pageview;
  }

  /** The user whose pageview stream index {@code index} is. */
  long pageviewUser(long index) {
    return factory.pageviewSkeleton(RECORD_INDEX_OFFSET + index).userId();
  }

  private Rating rating(long index, Instant now) {
    Rating rating = factory.rating(RECORD_INDEX_OFFSET + index);
    long pageview = ratedPageview(index);
    if (pageview < 0) {
      return rating.toBuilder().setEventTime(now).build();
    }
    RecordFactory.PageviewSkeleton skeleton =
        factory.pageviewSkeleton(RECORD_INDEX_OFFSET + pageview);
    return rating.toBuilder()
        .setUserId(skeleton.userId())
        .setProductId(skeleton.productId() > 0 ? skeleton.productId() : rating.getProductId())
        .setEventTime(now)
        .build();
  }
}
