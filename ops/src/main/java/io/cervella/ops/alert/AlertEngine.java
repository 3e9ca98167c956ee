package io.cervella.ops.alert;

import io.cervella.core.store.MetadataStore;
import io.cervella.ops.config.AlertsConfig;
import io.cervella.ops.config.OpsConfig;
import io.cervella.ops.config.WebhookConfig;
import io.cervella.ops.facts.FactSource;
import io.cervella.ops.facts.PlatformFacts;
import io.cervella.ops.facts.ProbeFact;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the alert rules every {@code interval_seconds}, compares what is true with the shared
 * state (ops_alert_state) and announces each change to every webhook: "firing" when an alert starts
 * (after its {@code for_seconds}), again every {@code repeat_minutes} if set, "resolved" when its
 * condition clears. A message goes out only from the node whose conditional write made the change,
 * so two nodes, or one restarted, never announce the same change twice. The state is written before
 * the message is sent: a node killed in between loses that message rather than repeating it.
 */
public final class AlertEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertEngine.class);

    /** How webhooks are tried: per-try timeout, tries, the wait after the first failed try (doubling). */
    record Delivery(Duration timeout, int maxTries, Duration backoff) {
        static final Delivery DEFAULT = new Delivery(Duration.ofSeconds(10), 3, Duration.ofSeconds(1));
    }

    private final AlertsConfig config;
    private final List<Rule> rules;
    private final Map<String, Rule> rulesByName = new HashMap<>();
    private final FactSource facts;
    private final Supplier<List<ProbeFact>> probes;
    private final Clock clock;
    private final String node;
    private final LedgerReader ledger;
    private final AlertStateStore state;
    private final AlertLog log;
    private final AlertMetrics metrics;
    private final WebhookSender sender;
    private final PendingConditions pending = new PendingConditions();
    private final ReentrantLock evaluating = new ReentrantLock();
    private volatile Thread loop;

    /**
     * @param ops    the {@code ops:} section: its alerts, the SLO and the monthly budget
     * @param facts  the platform's facts, taken at each evaluation
     * @param probes the uptime probes' current states
     * @param node   this node's name, written in the messages
     * @throws io.cervella.core.config.ConfigException when a rule's threshold is out of its range
     */
    public AlertEngine(OpsConfig ops, MetadataStore store, FactSource facts, Supplier<List<ProbeFact>> probes,
                       MeterRegistry registry, Clock clock, String node) {
        this(ops, store, facts, probes, registry, clock, node, Delivery.DEFAULT);
    }

    AlertEngine(OpsConfig ops, MetadataStore store, FactSource facts, Supplier<List<ProbeFact>> probes,
                MeterRegistry registry, Clock clock, String node, Delivery delivery) {
        this.config = ops.alerts();
        this.rules = BuiltInRules.resolve(ops);
        rules.forEach(r -> rulesByName.put(r.name(), r));
        this.facts = facts;
        this.probes = probes;
        this.clock = clock;
        this.node = node;
        this.ledger = new LedgerReader(store);
        this.state = new AlertStateStore(store);
        this.log = new AlertLog(store);
        this.metrics = new AlertMetrics(registry, AlertsConfig.BUILT_IN_RULES);
        this.sender = new WebhookSender(delivery.timeout(), delivery.maxTries(), delivery.backoff(), log, metrics, clock);
    }

    /** Evaluates every {@code interval_seconds} on a virtual thread until {@link #stop()}. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        long intervalMs = config.intervalSeconds() * 1000L;
        loop = Thread.ofVirtual().name("alert-engine").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    evaluate();
                } catch (RuntimeException e) {
                    // the database or a fact source failing must not end the loop: next round tries again
                    LOG.warn("alert evaluation failed: {}", e.toString());
                }
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Stops the schedule; a delivery under way is cut short (its try is logged). */
    public synchronized void stop() {
        Thread t = loop;
        loop = null;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the schedule and lets go of the HTTP client; the engine is not used after. */
    @Override
    public void close() {
        stop();
        sender.close();
    }

    /**
     * One round: evaluates the rules, records the changes in the shared state and delivers the
     * messages this node won the right to send (waiting for them). Returns those messages.
     */
    public List<AlertMessage> evaluate() {
        evaluating.lock();
        try {
            return evaluateLocked();
        } finally {
            evaluating.unlock();
        }
    }

    private List<AlertMessage> evaluateLocked() {
        Instant now = clock.instant();
        PlatformFacts current = facts.now();
        RuleInputs inputs = new RuleInputs(current, probes.get(), ledger, now);

        Map<AlertKey, Alert> trueNow = new LinkedHashMap<>();
        Set<String> judged = new HashSet<>(); // rules whose answer is known: only their alerts may resolve
        for (Rule rule : rules) {
            if (!rule.enabled()) {
                judged.add(rule.name()); // a rule turned off resolves what it had raised
                continue;
            }
            try {
                for (Finding f : rule.check().check(inputs)) {
                    // ops_alert_state.subject holds 400 characters; names are far shorter in practice
                    Alert a = new Alert(rule.name(), Text.clip(f.subject(), 400), rule.severity(), f.summary());
                    trueNow.put(a.key(), a);
                }
                judged.add(rule.name());
            } catch (RuntimeException e) {
                LOG.warn("alert rule {} could not be evaluated; its alerts stay as they are: {}", rule.name(), e.toString());
            }
        }
        pending.keepOnly(trueNow.keySet(), judged);

        Map<AlertKey, AlertState> known = new HashMap<>();
        for (AlertState s : state.all()) {
            known.put(s.key(), s);
        }
        List<AlertMessage> messages = new ArrayList<>();
        for (Alert a : trueNow.values()) {
            Instant trueSince = pending.observe(a.key(), now);
            if (now.isBefore(trueSince.plus(rulesByName.get(a.rule()).holdFor()))) {
                continue;
            }
            AlertState s = known.get(a.key());
            boolean starts = s == null ? state.insertFiring(a, now)
                    : s.status() == AlertStatus.RESOLVED && state.refire(a, now);
            if (starts) {
                messages.add(message(AlertStatus.FIRING, a.rule(), a.subject(), a.severity(), a.summary(), now, null));
            } else if (s != null && s.status() == AlertStatus.FIRING && repeatDue(s, now)
                    && state.markRepeated(a, s.lastSent(), now)) {
                messages.add(message(AlertStatus.FIRING, a.rule(), a.subject(), a.severity(), a.summary(), s.since(), null));
            }
        }
        for (AlertState s : known.values()) {
            boolean ruleGone = !rulesByName.containsKey(s.rule()); // a row of a rule this version no longer has
            if (s.status() == AlertStatus.FIRING && (judged.contains(s.rule()) || ruleGone) && !trueNow.containsKey(s.key())
                    && state.resolve(s.key(), now)) {
                messages.add(message(AlertStatus.RESOLVED, s.rule(), s.subject(), severityOf(s.rule()), s.summary(),
                        s.since(), now));
            }
        }
        deliver(messages);
        metrics.firing(state.all());
        return messages;
    }

    private boolean repeatDue(AlertState s, Instant now) {
        return config.repeatMinutes() > 0 && !now.isBefore(s.lastSent().plus(Duration.ofMinutes(config.repeatMinutes())));
    }

    private AlertMessage message(AlertStatus status, String rule, String subject, Severity severity, String summary,
                                 Instant startedAt, Instant resolvedAt) {
        LOG.info("alert {}: {} {}: {}", status.label(), rule, subject, summary);
        return new AlertMessage(status, rule, subject, severity, summary, startedAt, resolvedAt, node);
    }

    private Severity severityOf(String rule) {
        Rule r = rulesByName.get(rule);
        return r == null ? Severity.WARNING : r.severity();
    }

    /** Every message to every webhook at once (each on its own virtual thread); returns when all are done. */
    private void deliver(List<AlertMessage> messages) {
        if (messages.isEmpty() || config.webhooks().isEmpty()) {
            return;
        }
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (AlertMessage m : messages) {
                for (WebhookConfig w : config.webhooks()) {
                    threads.submit(() -> {
                        try {
                            sender.send(w, m);
                        } catch (RuntimeException e) { // the alert log's database failing, say
                            LOG.warn("alert delivery to webhook '{}' failed: {}", w.name(), e.toString());
                        }
                    });
                }
            }
        }
    }

    /** The alerts firing now, as the shared state says (the oldest first). */
    public List<FiringAlert> firing() {
        return state.all().stream()
                .filter(s -> s.status() == AlertStatus.FIRING)
                .map(s -> new FiringAlert(s.rule(), s.subject(), severityOf(s.rule()), s.summary(), s.since(), s.lastSent()))
                .toList();
    }

    /** The latest {@code limit} delivery tries, newest first. */
    public List<AlertLogEntry> recentLog(int limit) {
        return log.recent(limit);
    }

    /** The built-in rules with the config applied. */
    public List<Rule> rules() {
        return rules;
    }
}
