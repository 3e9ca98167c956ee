package io.cervella.memory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small labelled set of team notes (English and Italian) and the queries each answers: paraphrases
 * that share no word with their note, identifiers that carry no meaning, near neighbours that differ
 * only in an identifier, and Italian words that need stemming. The search tests and the model choice
 * benchmark rank on it.
 */
public final class LabelledNotes {
    private LabelledNotes() {}

    public static final Map<String, String> NOTES = new LinkedHashMap<>();
    static {
        NOTES.put("backup", "Backups run every night to two regions; restores are tested weekly.");
        NOTES.put("ci-failure", "Build error ERR-4521 appears when the Maven cache is corrupted; wipe it to fix the build.");
        NOTES.put("gpu-cost", "The GPU server costs 0.39 dollars per hour on RunPod.");
        NOTES.put("tls", "Every listener speaks TLS 1.3 with certificates from our local CA.");
        NOTES.put("dog", "Our office dog, Biscotto, likes long walks in the park.");
        NOTES.put("pasta", "La ricetta della carbonara usa guanciale, uova e pecorino.");
        NOTES.put("meeting", "Le riunioni settimanali della squadra si tengono il lunedì alle nove.");
        NOTES.put("rate-limit", "Each API key may send at most 600 calls per minute by default.");
        NOTES.put("vault", "Notes are encrypted at rest with AES-256-GCM before they leave the laptop.");
        NOTES.put("model", "Cervella Baby is Qwen3-4B quantized to four bits.");
        NOTES.put("incident", "Incident INC-7731: the load balancer dropped connections after a certificate expired.");
        NOTES.put("hiring", "We are hiring two engineers to work on the storage layer.");
        NOTES.put("weather", "It rained all week in Milan.");
        NOTES.put("budget", "Il budget mensile per le GPU è di trecento dollari.");
        NOTES.put("database", "PostgreSQL stores the metadata when several nodes share the platform.");
        NOTES.put("coffee", "The espresso machine on the second floor is broken again.");
        // near neighbours in meaning that differ in the identifier: only words tell them apart
        NOTES.put("incident-2", "Incident INC-7732: the load balancer restarted after a kernel upgrade.");
        NOTES.put("incident-3", "Incident INC-1187: a certificate expired on the staging gateway.");
        NOTES.put("ci-failure-2", "Build error ERR-4512 appears when the npm cache is stale; clear it to fix the build.");
        NOTES.put("ci-failure-3", "Build error ERR-3321 appears when Gradle runs out of memory.");
        NOTES.put("cat", "The office cat sleeps on the printer all day.");
        NOTES.put("tea", "The kettle in the kitchen was replaced last month.");
        // Italian notes: the default model is English-only, so here words carry more than meaning
        NOTES.put("rilascio", "Il rilascio in produzione avviene ogni giovedì dopo i test di integrazione.");
        NOTES.put("ferie", "Le ferie estive vanno segnalate entro maggio al responsabile della squadra.");
        NOTES.put("francoforte", "Il server dei backup si trova nel centro dati di Francoforte.");
        NOTES.put("password", "Le password vanno cambiate ogni novanta giorni.");
    }

    /** Query → the note that answers it. */
    public static final Map<String, String> QUERIES = new LinkedHashMap<>();
    static {
        QUERIES.put("how do we survive losing a whole datacenter", "backup");
        QUERIES.put("ERR-4521", "ci-failure");
        QUERIES.put("INC-7731", "incident");
        QUERIES.put("a pet that enjoys strolling outdoors", "dog");
        QUERIES.put("what does renting graphics cards cost", "gpu-cost");
        QUERIES.put("carbonara", "pasta");
        QUERIES.put("riunione", "meeting");
        QUERIES.put("coffee maker out of order", "coffee");
        QUERIES.put("AES-256-GCM", "vault");
        QUERIES.put("which database holds metadata for multi-node setups", "database");
        QUERIES.put("job openings for developers", "hiring");
        QUERIES.put("mensili", "budget");
        QUERIES.put("quando rilasciamo in produzione", "rilascio");
        QUERIES.put("entro quando segnalare le vacanze estive", "ferie");
        QUERIES.put("dove sono i server di backup", "francoforte");
        QUERIES.put("ogni quanti giorni si cambia la password", "password");
    }
}
