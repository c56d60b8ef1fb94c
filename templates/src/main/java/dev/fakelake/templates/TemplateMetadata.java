package dev.fakelake.templates;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Flex template metadata derived from a pipeline's Options: every option that fakelake declares
 * (Beam's own options are the launcher's business) becomes a parameter with its name, a label made
 * from the name, the {@code @Description} as help text, optional unless
 * {@code @Validation.Required}, and a regex that accepts exactly what Beam can parse for the
 * option's type.
 */
public final class TemplateMetadata {

  /** Only options declared in fakelake's own interfaces are template parameters. */
  static final String OWN_PACKAGE = "dev.fakelake.";

  static final String INTEGER_REGEX = "^-?[0-9]+$";
  static final String NUMBER_REGEX = "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$";
  static final String BOOLEAN_REGEX = "^(true|false)$";

  /** Words a label spells differently from the camel-case option name. */
  private static final Map<String, String> LABEL_WORDS =
      Map.of(
          "big query", "BigQuery",
          "jdbc", "JDBC",
          "url", "URL",
          "ms", "(ms)",
          "vip", "VIP",
          "pubsub", "Pub/Sub",
          "kafka", "Kafka");

  /** One template parameter. */
  public record Parameter(
      String name,
      String label,
      String helpText,
      boolean isOptional,
      List<String> regexes,
      Class<?> type) {}

  private TemplateMetadata() {}

  /** The parameters of an Options interface, sorted by name. */
  public static List<Parameter> parameters(Class<? extends PipelineOptions> options) {
    Map<String, Parameter> byName = new TreeMap<>();
    for (Class<?> type : ownInterfaces(options)) {
      for (Method method : type.getDeclaredMethods()) {
        String name = propertyName(method);
        Description description = method.getAnnotation(Description.class);
        if (name == null
            || description == null
            || method.isAnnotationPresent(Hidden.class)
            || type.isAnnotationPresent(Hidden.class)) {
          continue;
        }
        Parameter parameter =
            new Parameter(
                name,
                label(name),
                description.value(),
                !method.isAnnotationPresent(Validation.Required.class),
                regexes(method.getReturnType()),
                method.getReturnType());
        Parameter previous = byName.putIfAbsent(name, parameter);
        if (previous != null && previous.type() != parameter.type()) {
          throw new IllegalStateException(
              "Option " + name + " has two types in " + options.getName());
        }
      }
    }
    return List.copyOf(byName.values());
  }

  /** The metadata JSON of a template, as {@code gcloud dataflow flex-template build} reads it. */
  public static String json(FlexTemplates.Template template) {
    Class<? extends PipelineOptions> options =
        template
            .options()
            .orElseThrow(
                () -> new IllegalStateException(template.mainClass() + " is not on the classpath"));
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("name", "fakelake " + template.name());
    root.put("description", template.description());
    ArrayNode parameters = root.putArray("parameters");
    for (Parameter p : parameters(options)) {
      ObjectNode node = parameters.addObject();
      node.put("name", p.name());
      node.put("label", p.label());
      node.put("helpText", p.helpText());
      node.put("isOptional", p.isOptional());
      if (!p.regexes().isEmpty()) {
        ArrayNode regexes = node.putArray("regexes");
        p.regexes().forEach(regexes::add);
      }
    }
    DefaultPrettyPrinter printer =
        new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return mapper.writer(printer).writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The index the image build reads: one line per available template, name and main class. */
  public static String index() {
    StringBuilder index = new StringBuilder();
    for (FlexTemplates.Template template : FlexTemplates.available()) {
      index.append(template.name()).append('\t').append(template.mainClass()).append('\n');
    }
    return index.toString();
  }

  /** The interface and its super-interfaces that belong to fakelake, nearest first. */
  private static Set<Class<?>> ownInterfaces(Class<?> options) {
    Set<Class<?>> seen = new LinkedHashSet<>();
    Deque<Class<?>> queue = new ArrayDeque<>(List.of(options));
    while (!queue.isEmpty()) {
      Class<?> type = queue.removeFirst();
      if (type.getName().startsWith(OWN_PACKAGE) && seen.add(type)) {
        queue.addAll(Arrays.asList(type.getInterfaces()));
      }
    }
    return seen;
  }

  private static String propertyName(Method method) {
    if (method.getParameterCount() != 0 || method.isDefault() || method.isSynthetic()) {
      return null;
    }
    String name = method.getName();
    String property;
    if (name.startsWith("get") && name.length() > 3) {
      property = name.substring(3);
    } else if (name.startsWith("is")
        && name.length() > 2
        && (method.getReturnType() == boolean.class || method.getReturnType() == Boolean.class)) {
      property = name.substring(2);
    } else {
      return null;
    }
    return Character.toLowerCase(property.charAt(0)) + property.substring(1);
  }

  /** "bigQueryDatasetLocation" becomes "BigQuery dataset location". */
  static String label(String name) {
    String words = name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    String padded = " " + words + " ";
    for (Map.Entry<String, String> word : LABEL_WORDS.entrySet()) {
      padded = padded.replace(" " + word.getKey() + " ", " " + word.getValue() + " ");
    }
    String label = padded.strip();
    return Character.toUpperCase(label.charAt(0)) + label.substring(1);
  }

  /** Regexes a value must match to parse as the type; none for free text. */
  static List<String> regexes(Class<?> type) {
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == short.class
        || type == Short.class) {
      return List.of(INTEGER_REGEX);
    }
    if (type == double.class
        || type == Double.class
        || type == float.class
        || type == Float.class) {
      return List.of(NUMBER_REGEX);
    }
    if (type == boolean.class || type == Boolean.class) {
      return List.of(BOOLEAN_REGEX);
    }
    if (type.isEnum()) {
      StringBuilder regex = new StringBuilder("^(");
      Object[] constants = type.getEnumConstants();
      for (int i = 0; i < constants.length; i++) {
        regex.append(i == 0 ? "" : "|").append(((Enum<?>) constants[i]).name());
      }
      return List.of(regex.append(")$").toString());
    }
    return List.of();
  }
}
