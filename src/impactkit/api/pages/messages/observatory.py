"""Messages of the public observatory, its open data, the publish action and the curators' pages."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "obs_title": {"it": "Osservatorio dell'economia sociale", "en": "Social economy observatory"},
    "obs_description": {
        "it": "Risultati validati e buone pratiche delle organizzazioni dell'economia sociale del territorio, "
        "con dati aperti.",
        "en": "Validated results and best practice of the territory's social economy organisations, "
        "with open data.",
    },
    "obs_intro": {
        "it": "Qui trovi i rapporti sociali che le organizzazioni hanno scelto di pubblicare dopo la "
        "validazione di un valutatore accreditato. Nessuna persona è identificabile.",
        "en": "Here are the social reports organisations chose to publish after an accredited "
        "evaluator validated them. Nobody can be identified.",
    },
    "obs_nav_reports": {"it": "Rapporti pubblicati", "en": "Published reports"},
    "obs_nav_practices": {"it": "Buone pratiche", "en": "Best practice"},
    "obs_nav_aggregates": {"it": "Aggregati territoriali", "en": "Territory aggregates"},
    "obs_nav_data": {"it": "Dati aperti", "en": "Open data"},
    "obs_filter": {"it": "Filtra", "en": "Filter"},
    "obs_filters": {"it": "Cerca per", "en": "Search by"},
    "obs_any": {"it": "Tutte e tutti", "en": "Any"},
    "obs_plan_objective": {"it": "Obiettivo del Piano", "en": "Plan objective"},
    "obs_sdg_target": {"it": "Target SDG", "en": "SDG target"},
    "obs_imp_dimension": {"it": "Dimensione IMP", "en": "IMP dimension"},
    "obs_organisation_type": {"it": "Tipo di organizzazione", "en": "Organisation type"},
    "obs_found": {
        "it": {"one": "{count} rapporto pubblicato", "other": "{count} rapporti pubblicati"},
        "en": {"one": "{count} published report", "other": "{count} published reports"},
    },
    "obs_none_found": {
        "it": "Nessun rapporto pubblicato corrisponde a questa ricerca.",
        "en": "No published report matches this search.",
    },
    "obs_project": {"it": "Progetto", "en": "Project"},
    "obs_period": {"it": "Periodo", "en": "Period"},
    "obs_organisation": {"it": "Organizzazione", "en": "Organisation"},
    "obs_framework": {"it": "Quadro di indicatori", "en": "Indicator framework"},
    "obs_kpis": {"it": "Indicatori", "en": "Indicators"},
    "obs_value": {"it": "Valore", "en": "Value"},
    "obs_interval": {"it": "Intervallo di confidenza", "en": "Confidence interval"},
    "obs_people": {"it": "Persone (n)", "en": "People (n)"},
    "obs_hidden": {"it": "nascosto (riservatezza)", "en": "hidden (privacy)"},
    "obs_seal": {"it": "Sigillo di validazione", "en": "Validation seal"},
    "obs_validated_by": {
        "it": "Validato da {name} (accreditamento {number}, {body}) il {day}.",
        "en": "Validated by {name} (accreditation {number}, {body}) on {day}.",
    },
    "obs_hash": {"it": "Impronta SHA-256 del contenuto validato", "en": "SHA-256 of the validated content"},
    "obs_sroi": {
        "it": "Ritorno sociale dell'investimento (SROI)",
        "en": "Social return on investment (SROI)",
    },
    "obs_sroi_ratio": {"it": "Rapporto SROI", "en": "SROI ratio"},
    "obs_sroi_present_value": {"it": "Valore attuale", "en": "Present value"},
    "obs_sroi_inputs": {"it": "Investimento", "en": "Investment"},
    "obs_sroi_uncertainty": {
        "it": "Con l'incertezza delle stime ({draws} simulazioni): il rapporto è tra {p5} e {p95} "
        "nel 90% dei casi; probabilità che sia sotto 1: {below}.",
        "en": "With the estimates' uncertainty ({draws} draws): the ratio lies between {p5} and {p95} "
        "in 90% of cases; probability it is below 1: {below}.",
    },
    "obs_pdf": {"it": "Il bilancio sociale in PDF (sigillato)", "en": "The social report as PDF (sealed)"},
    "obs_download_csv": {"it": "Indicatori in CSV", "en": "Indicators as CSV"},
    "obs_download_json": {"it": "Indicatori in JSON", "en": "Indicators as JSON"},
    "obs_published_on": {"it": "Pubblicato il {day}", "en": "Published on {day}"},
    "obs_featured": {"it": "Buona pratica", "en": "Best practice"},
    "obs_practices_intro": {
        "it": "Rapporti che la curatrice o il curatore dell'osservatorio ha scelto come buone pratiche.",
        "en": "Reports the observatory's curator chose as best practice.",
    },
    "obs_no_practices": {"it": "Nessuna buona pratica per ora.", "en": "No best practice yet."},
    "obs_aggregates_intro": {
        "it": "Per ogni indicatore condiviso: mediana e quartili tra le organizzazioni che hanno "
        "pubblicato, solo su risultati confrontabili (stesso quadro, versione e definizione). "
        "n conta le organizzazioni.",
        "en": "For each shared indicator: median and quartiles across the organisations that "
        "published, over comparable results only (same framework, version and definition). "
        "n counts organisations.",
    },
    "obs_no_aggregates": {"it": "Nessun aggregato per ora.", "en": "No aggregates yet."},
    "obs_breakdown_all": {"it": "Tutto il territorio", "en": "Whole territory"},
    "obs_breakdown_zone": {"it": "Per zona omogenea", "en": "By homogeneous zone"},
    "obs_breakdown_legal_form": {"it": "Per tipo di organizzazione", "en": "By organisation type"},
    "obs_organisations_n": {"it": "Organizzazioni (n)", "en": "Organisations (n)"},
    "obs_q1": {"it": "1° quartile", "en": "1st quartile"},
    "obs_median": {"it": "Mediana", "en": "Median"},
    "obs_q3": {"it": "3° quartile", "en": "3rd quartile"},
    "obs_category": {"it": "Categoria", "en": "Category"},
    "obs_data_intro": {
        "it": "Ogni tabella pubblica dell'osservatorio è scaricabile in CSV e JSON a indirizzi stabili, "
        "con licenza {licence}. Il catalogo segue il profilo DCAT-AP_IT.",
        "en": "Every public table of the observatory can be downloaded as CSV and JSON at stable "
        "addresses, under the {licence} licence. The catalogue follows the DCAT-AP_IT profile.",
    },
    "obs_data_publications": {"it": "Elenco dei rapporti pubblicati", "en": "List of published reports"},
    "obs_data_aggregates": {"it": "Aggregati territoriali", "en": "Territory aggregates"},
    "obs_data_reports": {
        "it": "Gli indicatori di ogni rapporto sono nella sua pagina (CSV e JSON).",
        "en": "Each report's indicators are on its page (CSV and JSON).",
    },
    "obs_catalogue": {"it": "Catalogo DCAT-AP_IT", "en": "DCAT-AP_IT catalogue"},
    "obs_feed": {"it": "Feed Atom delle nuove pubblicazioni", "en": "Atom feed of new publications"},
    "obs_licence": {"it": "Licenza", "en": "Licence"},
    "obs_back_to_list": {"it": "Tutti i rapporti", "en": "All reports"},
    # The organisation's report page
    "obs_publish_title": {"it": "Osservatorio pubblico", "en": "Public observatory"},
    "obs_publish_explain": {
        "it": "Pubblica la versione validata (v{version}) nell'osservatorio: chiunque potrà leggerne "
        "indicatori, SROI, sigillo e valutatore. Le risposte delle persone non sono mai pubblicate.",
        "en": "Publish the validated version (v{version}) to the observatory: anyone will read its "
        "indicators, SROI, seal and evaluator. People's answers are never published.",
    },
    "obs_publish": {"it": "Pubblica nell'osservatorio", "en": "Publish to the observatory"},
    "obs_published_at": {
        "it": "Pubblicato nell'osservatorio (versione {version}).",
        "en": "Published to the observatory (version {version}).",
    },
    "obs_open_public_page": {"it": "Apri la pagina pubblica", "en": "Open the public page"},
    "obs_withdraw": {"it": "Ritira dall'osservatorio", "en": "Withdraw from the observatory"},
    "obs_withdraw_question": {
        "it": "Ritirare il rapporto dall'osservatorio? Sparirà da ogni pagina e file pubblico.",
        "en": "Withdraw the report from the observatory? It disappears from every public page and file.",
    },
    "obs_publish_newer": {
        "it": "È pubblicata la versione {old}; pubblica la versione validata più recente (v{version}).",
        "en": "Version {old} is published; publish the newest validated version (v{version}).",
    },
    "obs_not_validated": {
        "it": "Solo un rapporto validato può essere pubblicato nell'osservatorio.",
        "en": "Only a validated report can be published to the observatory.",
    },
    "obs_only_owners": {
        "it": "Solo chi è titolare dell'organizzazione pubblica nell'osservatorio.",
        "en": "Only an owner of the organisation publishes to the observatory.",
    },
    "obs_done_published": {
        "it": "Rapporto pubblicato nell'osservatorio.",
        "en": "Report published to the observatory.",
    },
    "obs_done_withdrawn": {
        "it": "Rapporto ritirato dall'osservatorio.",
        "en": "Report withdrawn from the observatory.",
    },
    # Curators
    "obs_curator_area": {"it": "Cura dell'osservatorio", "en": "Observatory curation"},
    "obs_curator_intro": {
        "it": "Scegli le buone pratiche tra i rapporti pubblicati, con un breve testo. Un testo vuoto "
        "toglie la scelta.",
        "en": "Choose best practice among the published reports, with a short text. An empty text "
        "removes the choice.",
    },
    "obs_feature_text": {"it": "Perché è una buona pratica", "en": "Why it is best practice"},
    "obs_feature_save": {"it": "Salva", "en": "Save"},
    "obs_done_featured": {"it": "Scelta salvata.", "en": "Choice saved."},
    "obs_curators_title": {"it": "Curatrici e curatori dell'osservatorio", "en": "Observatory curators"},
    "obs_curators_intro": {
        "it": "Chi ha il ruolo di curatore sceglie le buone pratiche mostrate nell'osservatorio.",
        "en": "Curators choose the best practice the observatory shows.",
    },
    "obs_curator": {"it": "Curatore", "en": "Curator"},
    "obs_grant": {"it": "Concedi il ruolo", "en": "Grant the role"},
    "obs_revoke": {"it": "Togli il ruolo", "en": "Take the role back"},
    "obs_done_curator": {"it": "Ruolo aggiornato.", "en": "Role updated."},
    "obs_name": {"it": "Nome", "en": "Name"},
    "obs_pages": {"it": "Pagine dei risultati", "en": "Result pages"},
    "obs_previous": {"it": "Precedenti", "en": "Previous"},
    "obs_next": {"it": "Successivi", "en": "Next"},
}
