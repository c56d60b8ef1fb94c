package dev.fakelake.terraform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fakelake.templates.FlexTemplates;
import dev.fakelake.templates.TemplateMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Policy tests on the parsed Terraform root module: what terraform validate cannot run here. */
class TerraformPolicyTest {

  private static final Set<String> PRIMITIVE_ROLES =
      Set.of("roles/owner", "roles/editor", "roles/viewer");

  /** Reference roots that name no block: the iteration, count and path objects. */
  private static final Set<String> BUILT_IN_ROOTS =
      Set.of("each", "count", "path", "self", "terraform");

  /** Environment variables Cloud Workflows sets itself. */
  private static final Set<String> WORKFLOWS_BUILT_IN_ENV =
      Set.of(
          "GOOGLE_CLOUD_PROJECT_ID",
          "GOOGLE_CLOUD_PROJECT_NUMBER",
          "GOOGLE_CLOUD_LOCATION",
          "GOOGLE_CLOUD_WORKFLOW_ID",
          "GOOGLE_CLOUD_WORKFLOW_REVISION_ID",
          "GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID");

  /** The parameter that names the Secret Manager secret version of the database password. */
  private static final String PASSWORD_SECRET_PARAMETER = "jdbcPasswordSecret";

  /** The secret that holds the source database's password. */
  private static final String PASSWORD_SECRET = "google_secret_manager_secret.source_db_password";

  /** A version of that secret, by number or latest, named by the secret's id. */
  private static final Pattern PASSWORD_SECRET_VERSION =
      Pattern.compile(Pattern.quote("${" + PASSWORD_SECRET + ".id}") + "/versions/(latest|[0-9]+)");

  /** The only resources that may hold a password's value: the database user and the secret. */
  private static final Set<String> PASSWORD_HOLDERS =
      Set.of("google_sql_user", "google_secret_manager_secret_version");

  private static TerraformConfig config;

  @BeforeAll
  static void load() {
    config = TerraformConfig.load();
  }

  @Test
  void everyFileIsFormattedAsTerraformFmtWould() {
    List<String> unformatted =
        config.files().stream().filter(f -> !config.text(f).equals(config.formatted(f))).toList();

    assertEquals(List.of(), unformatted, "terraform fmt would change these files");
  }

  @Test
  void theModuleIsSplitByConcern() {
    assertTrue(
        config
            .files()
            .containsAll(
                List.of(
                    "versions.tf",
                    "variables.tf",
                    "outputs.tf",
                    "lake.tf",
                    "warehouse.tf",
                    "stream.tf",
                    "database.tf",
                    "dataflow.tf",
                    "orchestration.tf",
                    "iam.tf")),
        config.files()::toString);
  }

  @Test
  void everyVariableIsTypedAndDescribed() {
    List<String> bad = new ArrayList<>();
    config
        .named("variable")
        .forEach(
            (name, block) -> {
              JsonNode description = block.body().get("description");
              if (block.body().get("type") == null
                  || description == null
                  || description.asText().isBlank()) {
                bad.add(name);
              }
            });

    assertFalse(config.named("variable").isEmpty());
    assertEquals(List.of(), bad, "variables without a type or a description");
  }

  @Test
  void terraformAndEveryProviderArePinnedToARange() {
    List<JsonNode> blocks = config.terraformBlocks();
    assertEquals(1, blocks.size(), "one terraform block");
    assertTrue(isBounded(blocks.get(0).path("required_version").asText()), "required_version");

    JsonNode providers = TerraformConfig.block(blocks.get(0), "required_providers");
    List<String> unpinned = new ArrayList<>();
    providers
        .fields()
        .forEachRemaining(
            p -> {
              if (!isBounded(p.getValue().path("version").asText())
                  || p.getValue().path("source").asText().isEmpty()) {
                unpinned.add(p.getKey());
              }
            });

    assertTrue(providers.size() > 0);
    assertEquals(List.of(), unpinned, "providers without a source or an upper version bound");
  }

  /** A constraint with an upper bound: ~> X.Y, < X, or an exact version. */
  private static boolean isBounded(String constraint) {
    return constraint.contains("~>")
        || constraint.contains("<")
        || constraint.strip().matches("=?\\s*[0-9]+\\.[0-9]+\\.[0-9]+");
  }

  @Test
  void noPrimitiveRoleIsGrantedAnywhere() {
    List<String> found = new ArrayList<>();
    config
        .strings()
        .forEach(
            (file, strings) ->
                strings.stream()
                    .filter(s -> PRIMITIVE_ROLES.stream().anyMatch(s::contains))
                    .forEach(s -> found.add(file + ": " + s)));

    assertEquals(List.of(), found);
  }

  @Test
  void everyBucketPreventsPublicAccessAndUsesUniformAccess() {
    List<TerraformConfig.Block> buckets = config.resources("google_storage_bucket");
    List<String> bad =
        buckets.stream()
            .filter(
                b ->
                    !b.body().path("uniform_bucket_level_access").asBoolean(false)
                        || !"enforced".equals(b.body().path("public_access_prevention").asText()))
            .map(TerraformConfig.Block::address)
            .toList();

    assertFalse(buckets.isEmpty());
    assertEquals(List.of(), bad);
  }

  @Test
  void theLakeMovesArchiveToAColdStorageClass() {
    JsonNode lake =
        config.resources("google_storage_bucket").stream()
            .filter(b -> b.name().equals("lake"))
            .findFirst()
            .orElseThrow()
            .body();
    boolean archives = false;
    for (JsonNode rule : lake.path("lifecycle_rule")) {
      JsonNode condition = TerraformConfig.block(rule, "condition");
      JsonNode action = TerraformConfig.block(rule, "action");
      archives |=
          condition.path("matches_prefix").toString().contains("\"archive/\"")
              && "SetStorageClass".equals(action.path("type").asText());
    }

    assertTrue(archives, "a lifecycle rule moves archive/ to another storage class");
  }

  @Test
  void cloudSqlHasNoPublicIpAndUsesThePrivateNetwork() {
    List<TerraformConfig.Block> instances = config.resources("google_sql_database_instance");
    List<String> bad = new ArrayList<>();
    for (TerraformConfig.Block instance : instances) {
      JsonNode ip =
          TerraformConfig.block(
              TerraformConfig.block(instance.body(), "settings"), "ip_configuration");
      if (ip == null
          || ip.path("ipv4_enabled").asBoolean(true)
          || ip.path("private_network").asText().isEmpty()) {
        bad.add(instance.address());
      }
    }

    assertFalse(instances.isEmpty());
    assertEquals(List.of(), bad);
  }

  @Test
  void everyDataflowJobHasAServiceAccountAndMaxWorkers() {
    List<String> bad = new ArrayList<>();
    for (String type : List.of("google_dataflow_flex_template_job", "google_dataflow_job")) {
      for (TerraformConfig.Block job : config.resources(type)) {
        if (job.body().path("service_account_email").asText().isEmpty()
            || job.body().path("max_workers").asText().isEmpty()) {
          bad.add(job.address());
        }
      }
    }
    // The batch jobs are launched by the workflow with this environment.
    JsonNode environment = config.locals().get("batch_environment");

    assertEquals(List.of(), bad);
    assertTrue(environment.has("maxWorkers") && environment.has("serviceAccountEmail"));
    assertTrue(
        config
            .locals()
            .get("workflow_stages")
            .asText()
            .contains("serviceAccountEmail = google_service_account.job[name].email"),
        "every workflow stage sets its own service account");
  }

  @Test
  void everyReferenceResolves() {
    Set<String> variables = config.named("variable").keySet();
    Set<String> locals = config.locals().keySet();
    Set<String> modules = config.named("module").keySet();
    Set<String> resources =
        config.blocks("resource").stream()
            .map(TerraformConfig.Block::address)
            .collect(Collectors.toSet());
    Set<String> data =
        config.blocks("data").stream().map(b -> "data." + b.address()).collect(Collectors.toSet());
    Set<String> providers = new LinkedHashSet<>();
    TerraformConfig.block(config.terraformBlocks().get(0), "required_providers")
        .fieldNames()
        .forEachRemaining(providers::add);

    List<String> unresolved = new ArrayList<>();
    for (TerraformConfig.Reference reference : config.references()) {
      String[] parts = reference.value().split("\\.");
      String root = parts[0];
      boolean resolves =
          switch (root) {
            case "var" -> variables.contains(parts[1]);
            case "local" -> locals.contains(parts[1]);
            case "module" -> modules.contains(parts[1]);
            case "data" -> parts.length > 2 && data.contains("data." + parts[1] + "." + parts[2]);
            default ->
                BUILT_IN_ROOTS.contains(root)
                    || (parts.length == 1 && providers.contains(root))
                    || (parts.length > 1 && resources.contains(root + "." + parts[1]));
          };
      if (!resolves) {
        unresolved.add(reference.file() + ": " + reference.value());
      }
    }

    assertTrue(config.references().size() > 100, "the references were collected");
    assertEquals(List.of(), unresolved);
  }

  @Test
  void everyTemplateTheTerraformLaunchesIsInTheCatalog() {
    Set<String> catalog =
        FlexTemplates.ALL.stream().map(FlexTemplates.Template::name).collect(Collectors.toSet());
    Set<String> batch = strings(config.locals().get("batch_templates"));
    Set<String> stream = strings(config.locals().get("stream_templates"));

    assertFalse(batch.isEmpty() || stream.isEmpty());
    assertTrue(catalog.containsAll(batch), () -> batch + " not all in " + catalog);
    assertTrue(catalog.containsAll(stream), () -> stream + " not all in " + catalog);
    assertEquals(batch, keys(config.locals().get("batch_jobs")), "batch_jobs");
    assertEquals(stream, keys(config.locals().get("stream_jobs")), "stream_jobs");
    TerraformConfig.Block job =
        config.resources("google_dataflow_flex_template_job").stream()
            .filter(b -> b.name().equals("stream"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        "${local.templates_prefix}/${each.key}.json",
        job.body().path("container_spec_gcs_path").asText());
    assertTrue(job.body().path("for_each").asText().contains("local.stream_jobs"));
  }

  @Test
  void everyParameterPassedToAnAvailableTemplateIsOneOfItsParameters() {
    List<String> unknown = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Map<String, String>> job : jobParameters().entrySet()) {
      FlexTemplates.Template template = FlexTemplates.named(job.getKey());
      if (!template.isAvailable()) {
        continue;
      }
      Set<String> accepted =
          TemplateMetadata.parameters(template.options().orElseThrow()).stream()
              .map(TemplateMetadata.Parameter::name)
              .collect(Collectors.toSet());
      for (String name : job.getValue().keySet()) {
        checked++;
        if (!accepted.contains(name)) {
          unknown.add(job.getKey() + ": " + name);
        }
      }
    }

    assertTrue(checked > 10, "parameters were checked");
    assertEquals(List.of(), unknown, "parameters the templates do not declare");
  }

  @Test
  void theDatabasePasswordGoesOnlyIntoCloudSqlAndSecretManager() {
    List<String> found = new ArrayList<>();
    for (TerraformConfig.Block block : config.blocks("resource")) {
      if (PASSWORD_HOLDERS.contains(block.type())) {
        continue;
      }
      allStrings(block.body()).stream()
          .filter(TerraformPolicyTest::readsAPassword)
          .forEach(s -> found.add(block.address() + ": " + s));
    }
    for (TerraformConfig.Block block : config.blocks("data")) {
      if (block.type().startsWith("google_secret_manager_secret_version")) {
        found.add("data." + block.address() + " reads a secret's value into the state");
      }
    }
    config
        .locals()
        .forEach(
            (name, value) ->
                allStrings(value).stream()
                    .filter(TerraformPolicyTest::readsAPassword)
                    .forEach(s -> found.add("local." + name + ": " + s)));
    config
        .named("output")
        .forEach(
            (name, block) ->
                allStrings(block.body()).stream()
                    .filter(TerraformPolicyTest::readsAPassword)
                    .forEach(s -> found.add("output." + name + ": " + s)));

    assertFalse(config.resources("random_password").isEmpty());
    assertEquals(List.of(), found, "a password value used outside Cloud SQL and Secret Manager");
  }

  @Test
  void noJobParameterWorkflowVariableOrWorkflowStepPassesAPassword() throws IOException {
    List<String> found = new ArrayList<>();
    jobParameters()
        .forEach(
            (job, parameters) ->
                parameters.forEach(
                    (name, value) -> {
                      if (name.toLowerCase(Locale.ROOT).contains("password")
                          && !name.equals(PASSWORD_SECRET_PARAMETER)) {
                        found.add(job + " parameter " + name);
                      }
                      if (readsAPassword(value)) {
                        found.add(job + " parameter " + name + " = " + value);
                      }
                    }));
    TerraformConfig.Block workflow = config.resources("google_workflows_workflow").get(0);
    TerraformConfig.block(workflow.body(), "user_env_vars")
        .fields()
        .forEachRemaining(
            env -> {
              String value = env.getValue().asText();
              // The workflow launches jobs and needs no secret at all, not even a secret's name.
              if (readsAPassword(value) || value.contains("google_secret_manager_secret")) {
                found.add("workflow variable " + env.getKey() + " = " + value);
              }
            });
    String yaml = workflowSource(workflow);
    if (yaml.toLowerCase(Locale.ROOT).contains("secretmanager")) {
      found.add("cycle.yaml calls Secret Manager");
    }
    Matcher password = Pattern.compile("jdbcPassword(?!Secret)").matcher(yaml);
    while (password.find()) {
      found.add("cycle.yaml names " + password.group());
    }

    assertEquals(List.of(), found);
  }

  @Test
  void everyJobThatReachesTheDatabaseIsGivenItsPasswordsSecretVersion() {
    List<String> bad = new ArrayList<>();
    for (String job : jobsWithDatabase()) {
      String secret = jobParameters().get(job).get(PASSWORD_SECRET_PARAMETER);
      if (secret == null || !PASSWORD_SECRET_VERSION.matcher(secret).matches()) {
        bad.add(job + ": " + PASSWORD_SECRET_PARAMETER + " = " + secret);
      }
    }

    assertFalse(jobsWithDatabase().isEmpty(), "some job is given jdbcUrl");
    assertEquals(List.of(), bad, "jobs without the password's secret version");
  }

  @Test
  void onlyTheAccountsOfTheJobsThatReachTheDatabaseCanReadItsPassword() {
    Map<String, JsonNode> locals = config.locals();
    Set<String> readers = new TreeSet<>();
    for (TerraformConfig.Block grant : config.blocks("resource")) {
      if (grant.type().startsWith("google_secret_manager_secret_iam")
          && grant.body().path("secret_id").asText().contains(PASSWORD_SECRET + ".")) {
        readers.addAll(grantedAccounts(grant, locals));
      }
    }
    // A Secret Manager role on the project would open every secret, this one too.
    List<String> projectWide = new ArrayList<>();
    for (TerraformConfig.Block block : config.blocks("resource")) {
      if (!block.type().startsWith("google_secret_manager_secret_iam")) {
        allStrings(block.body()).stream()
            .filter(s -> s.contains("roles/secretmanager."))
            .forEach(s -> projectWide.add(block.address() + ": " + s));
      }
    }
    locals.forEach(
        (name, value) ->
            allStrings(value).stream()
                .filter(s -> s.contains("roles/secretmanager."))
                .forEach(s -> projectWide.add("local." + name + ": " + s)));

    assertFalse(jobsWithDatabase().isEmpty(), "some job is given jdbcUrl");
    assertEquals(jobsWithDatabase(), strings(locals.get("database_jobs")), "local.database_jobs");
    assertEquals(jobsWithDatabase(), readers, "the accounts that can read the password's secret");
    assertEquals(List.of(), projectWide, "Secret Manager roles beyond single secrets");
  }

  @Test
  void theWorkflowReadsOnlyEnvironmentVariablesTheTerraformSets() throws IOException {
    TerraformConfig.Block workflow = config.resources("google_workflows_workflow").get(0);
    String yaml = workflowSource(workflow);
    Set<String> read = new TreeSet<>();
    Matcher env = Pattern.compile("sys\\.get_env\\(\"([A-Z0-9_]+)\"\\)").matcher(yaml);
    while (env.find()) {
      read.add(env.group(1));
    }
    read.removeAll(WORKFLOWS_BUILT_IN_ENV);
    Set<String> set = keys(TerraformConfig.block(workflow.body(), "user_env_vars"));

    assertFalse(read.isEmpty());
    assertEquals(set, read, "variables cycle.yaml reads vs user_env_vars");
  }

  /** The workflow's source: the module file its source_contents reads. */
  private static String workflowSource(TerraformConfig.Block workflow) throws IOException {
    Matcher file =
        Pattern.compile("file\\(\"\\$\\{path\\.module}/([^\"]+)\"\\)")
            .matcher(workflow.body().path("source_contents").asText());
    assertTrue(file.find(), "source_contents reads a file of the module");
    Path source = Path.of(System.getProperty("terraform.module", ".")).resolve(file.group(1));
    return Files.readString(source);
  }

  /** Each job's template parameters, batch (the workflow) and stream (Terraform), by job. */
  private static Map<String, Map<String, String>> jobParameters() {
    Map<String, JsonNode> locals = config.locals();
    Map<String, Map<String, String>> jobs = new TreeMap<>();
    for (String section : List.of("batch_jobs", "stream_jobs")) {
      locals
          .get(section)
          .fields()
          .forEachRemaining(
              job -> jobs.put(job.getKey(), parameters(job.getValue().get("parameters"), locals)));
    }
    return jobs;
  }

  /** The jobs given a jdbcUrl parameter: those that reach the source database. */
  private static Set<String> jobsWithDatabase() {
    Set<String> jobs = new TreeSet<>();
    jobParameters()
        .forEach(
            (job, parameters) -> {
              if (parameters.containsKey("jdbcUrl")) {
                jobs.add(job);
              }
            });
    return jobs;
  }

  /**
   * Names and expressions of an object literal, or of the local values a merge(local.a, local.b)
   * combines.
   */
  private static Map<String, String> parameters(JsonNode value, Map<String, JsonNode> locals) {
    Map<String, String> parameters = new TreeMap<>();
    if (value.isObject()) {
      value.fields().forEachRemaining(p -> parameters.put(p.getKey(), p.getValue().asText()));
      return parameters;
    }
    Matcher local = Pattern.compile("local\\.([a-z_]+)").matcher(value.asText());
    while (local.find()) {
      locals
          .get(local.group(1))
          .fields()
          .forEachRemaining(p -> parameters.put(p.getKey(), p.getValue().asText()));
    }
    if (parameters.isEmpty()) {
      throw new AssertionError("Cannot tell the parameters of " + value);
    }
    return parameters;
  }

  /** Whether an expression reads a password's value rather than, say, a secret's name. */
  private static boolean readsAPassword(String expression) {
    return expression.contains("random_password.")
        || expression.contains(".secret_data")
        || expression.contains("data.google_secret_manager_secret_version");
  }

  /**
   * The service accounts of local.service_accounts that a secret IAM member grants: one named
   * account, or one for each name of a local list; any other form fails, rather than be missed.
   */
  private static Set<String> grantedAccounts(
      TerraformConfig.Block grant, Map<String, JsonNode> locals) {
    String member = grant.body().path("member").asText();
    Matcher named =
        Pattern.compile("\\$\\{google_service_account\\.job\\[\"([a-z-]+)\"]\\.member}")
            .matcher(member);
    Matcher forEach =
        Pattern.compile("\\$\\{toset\\(local\\.([a-z_]+)\\)}")
            .matcher(grant.body().path("for_each").asText());
    if (grant.type().equals("google_secret_manager_secret_iam_member") && named.matches()) {
      return Set.of(named.group(1));
    }
    if (grant.type().equals("google_secret_manager_secret_iam_member")
        && member.equals("${google_service_account.job[each.key].member}")
        && forEach.matches()) {
      return strings(locals.get(forEach.group(1)));
    }
    throw new AssertionError("Cannot tell whom " + grant.address() + " grants the secret");
  }

  /** Every string value inside a parsed block or value, at any depth. */
  private static List<String> allStrings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else {
      node.forEach(child -> out.addAll(allStrings(child)));
    }
    return out;
  }

  private static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    if (node != null && node.isObject()) {
      node.fieldNames().forEachRemaining(keys::add);
    }
    return keys;
  }

  private static Set<String> strings(JsonNode node) {
    Set<String> values = new TreeSet<>();
    if (node != null) {
      node.forEach(n -> values.add(n.asText()));
    }
    return values;
  }
}
