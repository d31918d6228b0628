"""Messages of the organisation's pages: projects, forms, links, responses, KPIs, reports, privacy."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    "your_organisations": {"it": "Le tue organizzazioni", "en": "Your organisations"},
    "projects": {"it": "Progetti", "en": "Projects"},
    "responses_total": {"it": "Risposte raccolte", "en": "Responses collected"},
    "responses_per_day": {
        "it": "Risposte al giorno (ultimi 30 giorni)",
        "en": "Responses per day (last 30 days)",
    },
    "survey_links": {"it": "Link ai questionari", "en": "Survey links"},
    "new_link": {"it": "Nuovo link", "en": "New link"},
    "form": {"it": "Questionario", "en": "Form"},
    "wave": {"it": "Rilevazione", "en": "Wave"},
    "wave_none": {"it": "(nessuna)", "en": "(none)"},
    "label": {"it": "Etichetta", "en": "Label"},
    "closes_on": {"it": "Chiude il (facoltativo)", "en": "Closes on (optional)"},
    "max_answers": {"it": "Numero massimo di risposte (facoltativo)", "en": "Most answers (optional)"},
    "link_created": {"it": "Link creato.", "en": "Link created."},
    "link_closed": {"it": "Link chiuso.", "en": "Link closed."},
    "no_links": {"it": "Nessun link ancora.", "en": "No links yet."},
    "kpi_not_ready": {
        "it": "Gli indicatori compariranno qui quando il calcolo sarà disponibile.",
        "en": "Indicators will appear here once their computation is available.",
    },
    "create_report": {"it": "Crea il rendiconto", "en": "Create the report"},
    "submit_to_evaluator": {"it": "Invia al valutatore", "en": "Submit to the evaluator"},
    "evaluator_email": {"it": "Email del valutatore accreditato", "en": "E-mail of the accredited evaluator"},
    "report_submitted": {
        "it": "Rendiconto inviato al valutatore.",
        "en": "Report submitted to the evaluator.",
    },
    "reports_not_ready": {
        "it": "I rendiconti compariranno qui quando il flusso dei rendiconti sarà disponibile.",
        "en": "Reports will appear here once the reports workflow is available.",
    },
    "wave_baseline": {"it": "iniziale (baseline)", "en": "baseline"},
    "wave_endline": {"it": "finale (endline)", "en": "endline"},
    "report_language": {"it": "Lingua del rendiconto", "en": "Language of the report"},
    "close_link_question": {
        "it": "Chiudere il link «{label}»? Non accetterà più risposte (potrai riaprirlo).",
        "en": "Close the link “{label}”? It will stop taking answers (you can reopen it).",
    },
    "choose_period": {"it": "Scegli il periodo del rendiconto.", "en": "Choose the period of the report."},
    "no_such_evaluator": {
        "it": "Nessun valutatore accreditato con questa email.",
        "en": "No accredited evaluator with this e-mail.",
    },
    "evaluator_comments": {"it": "Commenti del valutatore", "en": "The evaluator's comments"},
    # organisation page and tabs
    "organisation_sections": {"it": "Sezioni dell'organizzazione", "en": "Organisation sections"},
    "organisation_details": {"it": "Dati dell'ente", "en": "Organisation details"},
    "details_saved": {"it": "Dati dell'ente salvati.", "en": "Organisation details saved."},
    "no_projects": {
        "it": "Nessun progetto ancora: creane uno qui sotto.",
        "en": "No projects yet: create one below.",
    },
    "new_project": {"it": "Nuovo progetto", "en": "New project"},
    "framework_hint": {
        "it": "Gli indicatori che il progetto misura; i KPI semplificati vanno bene per iniziare.",
        "en": "The indicators the project measures; the simplified KPIs are a good start.",
    },
    "population": {"it": "Persone servite (facoltativo)", "en": "People served (optional)"},
    "population_hint": {
        "it": "Quante persone il progetto raggiunge in tutto: rende più strette le stime.",
        "en": "How many people the project reaches in all: it narrows the estimates.",
    },
    "new_project_created": {"it": "Progetto creato.", "en": "Project created."},
    # project page
    "project_sections": {"it": "Sezioni del progetto", "en": "Project sections"},
    "no_periods": {"it": "Nessun periodo ancora.", "en": "No periods yet."},
    "period_label": {"it": "Nome del periodo", "en": "Period name"},
    "period_label_hint": {
        "it": "Per esempio «2026» o «Primo semestre 2026».",
        "en": "For example “2026” or “First half 2026”.",
    },
    "add_period": {"it": "Aggiungi il periodo", "en": "Add the period"},
    "period_created": {"it": "Periodo aggiunto.", "en": "Period added."},
    "see_responses": {"it": "Vedi le risposte", "en": "See the responses"},
    "closes": {"it": "chiude il", "en": "closes"},
    "reopen": {"it": "Riapri", "en": "Reopen"},
    "link_reopened": {
        "it": "Link riaperto: accetta di nuovo risposte.",
        "en": "Link reopened: it takes answers again.",
    },
    "no_forms_yet": {"it": "Nessun questionario disponibile.", "en": "No form available."},
    "kpi_open_hint": {
        "it": "Apri un indicatore per vederlo per genere, età e territorio, con il cambiamento e il metodo.",
        "en": "Open an indicator to see it by gender, age and territory, with the change and the method.",
    },
    # one KPI opened
    "interval_at": {"it": "Intervallo di confidenza al {level}", "en": "{level} confidence interval"},
    "people_counted": {"it": "Persone contate", "en": "People counted"},
    "suppressed_primary": {
        "it": "non mostrato: meno di {min} persone",
        "en": "not shown: fewer than {min} people",
    },
    "suppressed_secondary": {
        "it": "non mostrato: altrimenti si ricaverebbe un gruppo di meno di {min} persone",
        "en": "not shown: otherwise a group of fewer than {min} people could be worked out",
    },
    "kpi_hidden_detail": {
        "it": "Questo valore non è mostrato: riguarda meno di {min} persone o permetterebbe di ricavarne un gruppo così piccolo.",
        "en": "This figure is not shown: it concerns fewer than {min} people or would let such a small group be worked out.",
    },
    "suppressed_short": {"it": "non mostrato (troppo poche persone)", "en": "not shown (too few people)"},
    "suppression_note": {
        "it": "Un gruppo con meno di {min} persone non è mostrato, perché nessuno sia riconoscibile.",
        "en": "A group of fewer than {min} people is not shown, so that nobody can be recognised.",
    },
    "no_breakdown": {
        "it": "Questo indicatore non si scompone per genere, età o territorio.",
        "en": "This indicator is not broken down by gender, age or territory.",
    },
    "category_yes": {"it": "sì", "en": "yes"},
    "category_no": {"it": "no", "en": "no"},
    "category_urban": {"it": "urbano", "en": "urban"},
    "category_rural": {"it": "rurale", "en": "rural"},
    "category_mountain": {"it": "montano", "en": "mountain"},
    "age_between": {"it": "{low}–{high} anni", "en": "{low}–{high} years"},
    "age_up_to": {"it": "fino a {high} anni", "en": "up to {high} years"},
    "age_from": {"it": "{low} anni e oltre", "en": "{low} years and over"},
    "change_title": {"it": "Cambiamento tra inizio e fine percorso", "en": "Change from baseline to endline"},
    "linked_people": {"it": "Persone con entrambe le risposte", "en": "People with both answers"},
    "unlinked": {
        "it": "solo all'inizio: {baseline}; solo alla fine: {endline}",
        "en": "baseline only: {baseline}; endline only: {endline}",
    },
    "mean_baseline_endline": {"it": "Media all'inizio → alla fine", "en": "Mean at baseline → endline"},
    "mean_change": {"it": "Cambiamento medio (intervallo al 95 %)", "en": "Mean change (95 % interval)"},
    "share_improved": {"it": "Persone migliorate", "en": "People who improved"},
    "share_worsened": {"it": "peggiorate", "en": "worsened"},
    "paired_t_test": {"it": "Test t per dati appaiati", "en": "Paired t-test"},
    "wilcoxon_test": {"it": "Test dei ranghi con segno di Wilcoxon", "en": "Wilcoxon signed-rank test"},
    "effect_size": {"it": "Ampiezza dell'effetto (d di Cohen)", "en": "Effect size (Cohen's d)"},
    "change_significant": {
        "it": "Il cambiamento è statisticamente significativo (p < 0,05).",
        "en": "The change is statistically significant (p < 0.05).",
    },
    "change_not_significant": {
        "it": "Il cambiamento non è statisticamente significativo: può essere dovuto al caso.",
        "en": "The change is not statistically significant: it may be due to chance.",
    },
    "how_computed": {"it": "Come è stato calcolato", "en": "How it was computed"},
    "method": {"it": "Metodo", "en": "Method"},
    "left_out": {"it": "Lasciato fuori, e perché", "en": "Left out, and why"},
    "nothing_left_out": {"it": "Nulla.", "en": "Nothing."},
    "small_groups": {"it": "Gruppi piccoli", "en": "Small groups"},
    "small_groups_text": {
        "it": "Gruppi sotto {min} persone nascosti; stime su meno di {min_n} persone da leggere con cautela.",
        "en": "Groups under {min} people hidden; estimates from fewer than {min_n} people to be read with care.",
    },
    "kpi_own_page": {"it": "Apri in una pagina a sé", "en": "Open on a page of its own"},
    # members and invitations
    "person_name_optional": {"it": "Nome (facoltativo)", "en": "Name (optional)"},
    "role_of": {"it": "Ruolo di {name}", "en": "Role of {name}"},
    "remove_member_question": {
        "it": "Togliere {name} da {organisation}? Non potrà più vederne i dati; il suo account resta.",
        "en": "Remove {name} from {organisation}? They will no longer see its data; their account stays.",
    },
    "member_removed": {
        "it": "Persona tolta dall'organizzazione.",
        "en": "Person removed from the organisation.",
    },
    "role_changed": {"it": "Ruolo cambiato.", "en": "Role changed."},
    "pending_invitations": {"it": "Inviti in attesa", "en": "Pending invitations"},
    "expires": {"it": "Scade il", "en": "Expires"},
    "invitation_open": {"it": "in attesa", "en": "pending"},
    "invitation_expired": {"it": "scaduto", "en": "expired"},
    "invitation_used": {"it": "accettato", "en": "accepted"},
    "invitation_withdrawn": {"it": "Invito ritirato.", "en": "Invitation withdrawn."},
    "withdraw": {"it": "Ritira", "en": "Withdraw"},
    "withdraw_invitation_question": {
        "it": "Ritirare l'invito? Il link non funzionerà più.",
        "en": "Withdraw the invitation? The link will stop working.",
    },
    "invite_colleague": {"it": "Invita una collega o un collega", "en": "Invite a colleague"},
    "invite_help": {
        "it": "Riceverai un link da mandare alla persona invitata (per email o messaggio): con quel link sceglie la "
        "sua password. Il link vale una volta sola, per 7 giorni.",
        "en": "You get a link to send to the person you invite (by e-mail or message): with it they choose their "
        "password. The link works once, for 7 days.",
    },
    "roles_explained": {
        "it": "Titolare: tutto, comprese persone e privacy. Redattore: progetti, questionari, link, rendiconti. "
        "Lettore: vede soltanto.",
        "en": "Owner: everything, people and privacy included. Editor: projects, forms, links, reports. "
        "Viewer: reads only.",
    },
    "send_invitation": {"it": "Crea l'invito", "en": "Create the invitation"},
    "invitation_created": {"it": "Invito creato.", "en": "Invitation created."},
    "invitation_link_title": {"it": "Il link dell'invito", "en": "The invitation link"},
    "invitation_link_text": {
        "it": "Manda questo link a {email}: vale una volta sola, per {days} giorni. È anche scritto nel registro del server.",
        "en": "Send this link to {email}: it works once, for {days} days. It is also written to the server log.",
    },
    # forms
    "upload_form": {"it": "Carica un questionario (XLSForm)", "en": "Upload a form (XLSForm)"},
    "upload_form_help": {
        "it": "Un file Excel nel formato XLSForm (lo stesso di ODK e KoBoToolbox). Se ha degli errori li vedrai "
        "tutti insieme, con foglio, riga e colonna.",
        "en": "An Excel file in the XLSForm format (the one ODK and KoBoToolbox use). If it has mistakes you see "
        "them all at once, with sheet, row and column.",
    },
    "xlsform_file": {"it": "File XLSForm", "en": "XLSForm file"},
    "xlsform_hint": {"it": ".xlsx o .xls, al massimo 5 MB.", "en": ".xlsx or .xls, at most 5 MB."},
    "publish_form": {"it": "Pubblica il questionario", "en": "Publish the form"},
    "form_published": {"it": "Questionario pubblicato.", "en": "Form published."},
    "form_already_published": {
        "it": "Questa versione era già pubblicata: nulla è cambiato.",
        "en": "This version was already published: nothing changed.",
    },
    "method_wilson": {
        "it": "intervallo di Wilson per una quota",
        "en": "Wilson score interval for a share",
    },
    "method_t_interval": {"it": "media con intervallo t", "en": "mean with a t interval"},
    "method_median": {
        "it": "mediana con intervallo non parametrico (ranghi binomiali)",
        "en": "median with a distribution-free interval (binomial ranks)",
    },
    "method_weighted_median": {
        "it": "mediana ponderata (senza intervallo)",
        "en": "weighted median (no interval)",
    },
    "method_count": {"it": "conteggio delle risposte", "en": "count of responses"},
    "method_weighted_count": {
        "it": "conteggio ponderato (somma dei pesi)",
        "en": "weighted count (sum of weights)",
    },
    "method_sum": {"it": "somma delle risposte", "en": "sum of answers"},
    "method_weighted_sum": {"it": "somma ponderata delle risposte", "en": "weighted sum of answers"},
    "method_ratio": {
        "it": "rapporto tra somme (senza intervallo)",
        "en": "ratio of sums (no interval)",
    },
    "method_weighted_kish": {
        "it": ", ponderato (numerosità efficace di Kish)",
        "en": ", weighted (Kish effective sample size)",
    },
    "method_fpc": {
        "it": ", con correzione per popolazione finita (N = {population})",
        "en": ", with the finite-population correction (N = {population})",
    },
    "flag_small_n": {
        "it": "poche risposte: n = {n}, sotto {min}; leggere con cautela",
        "en": "few answers: n = {n}, under {min}; read with care",
    },
    "flag_no_data": {
        "it": "nessuna risposta utile per questo indicatore",
        "en": "no usable answers for this indicator",
    },
    "flag_suppressed": {
        "it": "nascosto dal controllo di riservatezza",
        "en": "hidden by disclosure control",
    },
    "flag_undefined": {
        "it": "valore non calcolabile con questi dati",
        "en": "value cannot be computed from these data",
    },
    "in_the_kpis": {"it": "Nei KPI", "en": "In the KPIs"},
    "counts": {"it": "conta", "en": "counts"},
    "response_counts": {
        "it": "Questa risposta conta negli indicatori.",
        "en": "This response counts in the indicators.",
    },
    "response_left_out": {
        "it": "Gli indicatori lasciano fuori questa risposta: {why}.",
        "en": "The indicators leave this response out: {why}.",
    },
    "left_out_test_answer": {"it": "risposta di prova", "en": "test answer"},
    "left_out_suspected_duplicate": {"it": "sospetto duplicato", "en": "suspected duplicate"},
    "left_out_duplicate": {
        "it": "duplicato (conta un'altra risposta)",
        "en": "duplicate (another answer counts)",
    },
    "left_out_double_entry": {"it": "doppio inserimento", "en": "double entry"},
    "left_out_possible_double_entry": {
        "it": "possibile doppio inserimento (conta la più recente finché non si sceglie)",
        "en": "possible double entry (the latest counts until one is chosen)",
    },
    "flag_kind_test_answer": {"it": "Risposta di prova", "en": "Test answer"},
    "flag_kind_suspected_duplicate": {"it": "Sospetto duplicato", "en": "Suspected duplicate"},
    "flag_kind_duplicate_code": {
        "it": "Stesso codice due volte nella stessa rilevazione",
        "en": "Same code twice in one wave",
    },
    "flag_kind_double_entry": {
        "it": "Risposte identiche sotto due codici",
        "en": "Identical answers under two codes",
    },
    "flag_status_open": {"it": "in attesa di una scelta", "en": "waiting for a choice"},
    "flag_status_counts": {"it": "conta", "en": "counts"},
    "flag_status_excluded": {"it": "lasciata fuori dai KPI", "en": "left out of the KPIs"},
    "flag_status_withdrawn": {"it": "segnalazione ritirata", "en": "flag withdrawn"},
    "flag_this_response": {"it": "Segnala questa risposta", "en": "Flag this response"},
    "flag_hint": {
        "it": "Una risposta segnalata resta conservata ma gli indicatori non la contano; la "
        "segnalazione è registrata e si può ritirare.",
        "en": "A flagged response is kept, but the indicators do not count it; the flag is logged "
        "and can be withdrawn.",
    },
    "flag_note": {"it": "Nota (facoltativa)", "en": "Note (optional)"},
    "leave_out_of_kpis": {"it": "Lascia fuori dai KPI", "en": "Leave out of the KPIs"},
    "withdraw_flag": {"it": "Ritira la segnalazione", "en": "Withdraw the flag"},
    "response_flagged": {
        "it": "Risposta segnalata: gli indicatori non la contano più.",
        "en": "Response flagged: the indicators no longer count it.",
    },
    "flag_withdrawn": {
        "it": "Segnalazione ritirata: la risposta conta di nuovo.",
        "en": "Flag withdrawn: the response counts again.",
    },
    "form_not_published": {
        "it": "Il questionario non è stato pubblicato: correggi il file e ricaricalo.",
        "en": "The form was not published: correct the file and upload it again.",
    },
    "form_version_taken": {
        "it": "Questa versione del questionario è già pubblicata con un altro contenuto: cambia il numero "
        "di versione nel foglio settings (colonna version) e ricarica il file. ({detail})",
        "en": "This version of the form is already published with other content: change the version "
        "number in the settings sheet (column version) and upload the file again. ({detail})",
    },
    "form_problems_count": {
        "it": {"one": "Il file ha {count} problema:", "other": "Il file ha {count} problemi:"},
        "en": {"one": "The file has {count} problem:", "other": "The file has {count} problems:"},
    },
    "sheet": {"it": "Foglio", "en": "Sheet"},
    "row": {"it": "Riga", "en": "Row"},
    "column": {"it": "Colonna", "en": "Column"},
    "problem": {"it": "Problema", "en": "Problem"},
    "own_forms": {"it": "I questionari dell'organizzazione", "en": "The organisation's forms"},
    "no_own_forms": {"it": "Nessuno ancora.", "en": "None yet."},
    "shipped_forms": {"it": "Questionari pronti", "en": "Ready-made forms"},
    "shipped_forms_help": {
        "it": "Forniti con impactkit e usati dai quadri di indicatori: si possono usare così come sono.",
        "en": "Shipped with impactkit and used by the frameworks: they can be used as they are.",
    },
    "shipped_form": {"it": "questionario pronto", "en": "ready-made form"},
    "versions": {"it": "Versioni", "en": "Versions"},
    "versions_count": {
        "it": {"one": "{count} versione", "other": "{count} versioni"},
        "en": {"one": "{count} version", "other": "{count} versions"},
    },
    "latest_version": {"it": "ultima versione", "en": "latest version"},
    "published_on": {"it": "pubblicato il {day}", "en": "published on {day}"},
    "preview": {"it": "Anteprima", "en": "Preview"},
    "preview_as_respondent": {"it": "Prova come chi risponde", "en": "Try it as a respondent"},
    "download_xlsform": {"it": "Scarica il file XLSForm", "en": "Download the XLSForm file"},
    "use_form_in_project": {"it": "Usalo in un progetto", "en": "Use it in a project"},
    "use_in_project_help": {
        "it": "Crea un link al questionario nel progetto scelto; periodo, rilevazione e scadenza si impostano dal progetto.",
        "en": "Creates a link to the form in the chosen project; period, wave and closing date are set on the project.",
    },
    "create_link": {"it": "Crea il link", "en": "Create the link"},
    "questions": {"it": "Domande", "en": "Questions"},
    "question": {"it": "Domanda", "en": "Question"},
    "field_name": {"it": "Nome del campo", "en": "Field name"},
    "question_type": {"it": "Tipo", "en": "Type"},
    "preview_notice": {
        "it": "Anteprima: le risposte non vengono registrate.",
        "en": "Preview: the answers are not recorded.",
    },
    "preview_valid_title": {"it": "Fatto: le risposte sono valide", "en": "Done: the answers are valid"},
    "preview_valid_text": {
        "it": "Chi risponde vedrebbe ora il ringraziamento. Nell'anteprima non è stato registrato nulla.",
        "en": "A respondent would now see the thank-you page. Nothing was recorded in the preview.",
    },
    "back_to_form": {"it": "Torna al questionario", "en": "Back to the form"},
    "preview_again": {"it": "Prova di nuovo", "en": "Try again"},
    # responses
    "apply_filters": {"it": "Filtra", "en": "Filter"},
    "from_day": {"it": "Dal giorno", "en": "From"},
    "to_day": {"it": "Al giorno", "en": "To"},
    "page_of": {"it": "pagina {page} di {pages}", "en": "page {page} of {pages}"},
    "pages": {"it": "Pagine", "en": "Pages"},
    "newer": {"it": "← Più recenti", "en": "← Newer"},
    "older": {"it": "Meno recenti →", "en": "Older →"},
    "no_responses": {"it": "Nessuna risposta con questi filtri.", "en": "No responses with these filters."},
    "download_csv": {"it": "Scarica CSV", "en": "Download CSV"},
    "download_xlsx": {"it": "Scarica Excel", "en": "Download Excel"},
    "download_one_form": {
        "it": "(i file contengono un questionario per volta: {form}; scegline un altro nei filtri)",
        "en": "(files hold one form at a time: {form}; choose another in the filters)",
    },
    "source": {"it": "Provenienza", "en": "Source"},
    "response": {"it": "Risposta", "en": "Response"},
    "answers": {"it": "Risposte", "en": "Answers"},
    "answer": {"it": "Risposta", "en": "Answer"},
    "instance_id": {"it": "Identificativo", "en": "Identifier"},
    "response_erased": {
        "it": "Le risposte sono state cancellate il {day} su richiesta della persona.",
        "en": "The answers were erased on {day} at the person's request.",
    },
    # social report
    "report_created": {
        "it": "Rendiconto creato: scrivi le sezioni.",
        "en": "Report created: write its sections.",
    },
    "report_parts": {"it": "Parti del rendiconto", "en": "Parts of the report"},
    "report_sections": {"it": "Sezioni del bilancio sociale", "en": "Sections of the social report"},
    "sections_written": {
        "it": "{written} sezioni su {total} scritte (D.M. 4 luglio 2019).",
        "en": "{written} of {total} sections written (Decree of 4 July 2019).",
    },
    "section_text": {"it": "Testo della sezione", "en": "Text of the section"},
    "sections_still_empty": {"it": "Sezioni ancora vuote", "en": "Sections still empty"},
    "figures_known": {
        "it": "Dati che impactkit conosce già (dagli indicatori del periodo); compaiono nel documento:",
        "en": "Figures impactkit already knows (from the period's indicators); they appear in the document:",
    },
    "figures_hint": {
        "it": "I dati chiesti dalle Linee guida (D.M. 4 luglio 2019). Lascia vuoto ciò che non si applica; importi in euro.",
        "en": "The figures the guidelines ask for (Decree of 4 July 2019). Leave empty what does not apply; amounts in euro.",
    },
    "save_figures": {"it": "Salva i dati", "en": "Save the figures"},
    "figures_saved": {"it": "Dati salvati.", "en": "Figures saved."},
    "save_section": {"it": "Salva la sezione", "en": "Save the section"},
    "section_saved": {"it": "Sezione salvata.", "en": "Section saved."},
    "section_empty": {"it": "Sezione non scritta.", "en": "Section not written."},
    "unknown_section": {"it": "Sezione sconosciuta.", "en": "Unknown section."},
    "report_locked_submitted": {
        "it": "Il rendiconto è presso il valutatore: si potrà modificare quando sarà restituito o validato.",
        "en": "The report is with the evaluator: it can change once returned or validated.",
    },
    "report_locked_validated": {
        "it": "Questa versione è validata e non cambia più. Per modificarla chiedi a chi è titolare.",
        "en": "This version is validated and never changes. To change it, ask an owner.",
    },
    "report_locked_draft": {
        "it": "Solo redattori e titolari possono scrivere.",
        "en": "Only editors and owners can write.",
    },
    "report_locked_returned": {
        "it": "Solo redattori e titolari possono scrivere.",
        "en": "Only editors and owners can write.",
    },
    "sroi_value_map": {"it": "Mappa del valore SROI", "en": "SROI value map"},
    "no_value_map": {"it": "Nessuna mappa del valore allegata.", "en": "No value map attached."},
    "value_map_attached": {
        "it": {
            "one": "Mappa del valore allegata: {count} esito.",
            "other": "Mappa del valore allegata: {count} esiti.",
        },
        "en": {
            "one": "Value map attached: {count} outcome.",
            "other": "Value map attached: {count} outcomes.",
        },
    },
    "value_map_file": {"it": "File della mappa del valore", "en": "Value map file"},
    "value_map_hint": {
        "it": "Il file preparato dal valutatore: YAML o JSON, oppure la cartella Excel della mappa del valore.",
        "en": "The file the evaluator prepared: YAML or JSON, or the value-map Excel workbook.",
    },
    "attach": {"it": "Allega", "en": "Attach"},
    "value_map_refused": {
        "it": "La mappa del valore non è stata allegata:",
        "en": "The value map was not attached:",
    },
    "value_map_type": {
        "it": "Serve un file .yaml, .json o .xlsx.",
        "en": "A .yaml, .json or .xlsx file is needed.",
    },
    "value_map_unreadable": {"it": "Il file non si riesce a leggere.", "en": "The file cannot be read."},
    "choose_evaluator": {"it": "Valutatore accreditato", "en": "Accredited evaluator"},
    "choose_evaluator_hint": {
        "it": "Solo valutatori con accreditamento valido oggi e che non fanno parte dell'organizzazione.",
        "en": "Only evaluators with an accreditation valid today who are not members of the organisation.",
    },
    "valid_until": {"it": "valido fino al {day}", "en": "valid until {day}"},
    "no_evaluators": {
        "it": "Nessun valutatore accreditato disponibile: chiedi all'amministrazione.",
        "en": "No accredited evaluator available: ask the administrators.",
    },
    "report_with_evaluator": {
        "it": "Il rendiconto è presso il valutatore.",
        "en": "The report is with the evaluator.",
    },
    "submit_only_draft": {
        "it": "Si invia una bozza; un rendiconto restituito torna bozza appena lo modifichi.",
        "en": "A draft is submitted; a returned report becomes a draft again as soon as you change it.",
    },
    "value_map_attached_flash": {"it": "Mappa del valore allegata.", "en": "Value map attached."},
    # privacy
    "privacy_requests": {"it": "Richieste sulla privacy", "en": "Privacy requests"},
    "privacy_help": {
        "it": "Quando una persona chiede i propri dati o la loro cancellazione, cercala con il codice che le avete dato.",
        "en": "When a person asks for their data or for its erasure, find them by the code you gave them.",
    },
    "find": {"it": "Cerca", "en": "Find"},
    "respondent_results": {"it": "Risposte con il codice «{code}»", "en": "Responses with the code “{code}”"},
    "no_respondent": {"it": "Nessuna risposta con questo codice.", "en": "No responses with this code."},
    "export_data": {"it": "Esporta i dati (JSON)", "en": "Export the data (JSON)"},
    "erase_data": {"it": "Cancella i dati", "en": "Erase the data"},
    "erase_question": {
        "it": "Cancellare per sempre le risposte ({count}) del codice «{code}»? Non si potranno recuperare.",
        "en": "Erase for good the responses ({count}) of the code “{code}”? They cannot be recovered.",
    },
    "respondent_erased": {"it": "Risposte cancellate.", "en": "Responses erased."},
    "audit_trail": {"it": "Registro delle attività", "en": "Audit trail"},
    "audit_help": {
        "it": "Chi ha fatto che cosa: validazioni, esportazioni, cancellazioni, inviti, persone.",
        "en": "Who did what: validations, exports, erasures, invitations, people.",
    },
    # audit trail actions
    "audit_invitation_created": {"it": "Invito creato", "en": "Invitation created"},
    "audit_invitation_accepted": {"it": "Invito accettato", "en": "Invitation accepted"},
    "audit_invitation_withdrawn": {"it": "Invito ritirato", "en": "Invitation withdrawn"},
    "audit_member_added": {"it": "Persona aggiunta", "en": "Person added"},
    "audit_member_removed": {"it": "Persona tolta", "en": "Person removed"},
    "audit_member_role_changed": {"it": "Ruolo cambiato", "en": "Role changed"},
    "audit_organisation_created": {"it": "Organizzazione creata", "en": "Organisation created"},
    "audit_organisation_changed": {"it": "Dati dell'ente cambiati", "en": "Organisation details changed"},
    "audit_project_created": {"it": "Progetto creato", "en": "Project created"},
    "audit_form_published": {"it": "Questionario pubblicato", "en": "Form published"},
    "audit_form_republished": {
        "it": "Questionario ricaricato (nessun cambiamento)",
        "en": "Form uploaded again (no change)",
    },
    "audit_respondent_exported": {"it": "Dati di una persona esportati", "en": "A person's data exported"},
    "audit_respondent_erased": {"it": "Dati di una persona cancellati", "en": "A person's data erased"},
    "audit_response_erased": {"it": "Risposta cancellata", "en": "Response erased"},
    "audit_responses_exported": {"it": "Risposte scaricate", "en": "Responses downloaded"},
    "audit_report_created": {"it": "Rendiconto creato", "en": "Report created"},
    "audit_report_updated": {"it": "Rendiconto modificato", "en": "Report changed"},
    "audit_report_new_version": {"it": "Nuova versione del rendiconto", "en": "New version of the report"},
    "audit_report_submitted": {
        "it": "Rendiconto inviato al valutatore",
        "en": "Report submitted to the evaluator",
    },
    "audit_report_validated": {"it": "Rendiconto validato", "en": "Report validated"},
    "audit_report_returned": {"it": "Rendiconto restituito", "en": "Report returned"},
    "audit_report_exported": {"it": "Rendiconto scaricato", "en": "Report downloaded"},
    "audit_grant_created": {"it": "Contributo registrato", "en": "Grant recorded"},
}
