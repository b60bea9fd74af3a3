;;; Test harness loaded after the documented eglot config: completion and custom requests in --batch.
;;; Results go as JSON lines to $LLMLSP_TEST_OUT. eglot-ensure never fires in batch mode (no commands run),
;;; so this starts eglot the way M-x eglot does.
(require 'eglot)
(require 'json)

(defvar llmlsp-test-out (getenv "LLMLSP_TEST_OUT"))

(defun llmlsp-test-log (key value)
  (let ((coding-system-for-write 'utf-8))
    (write-region (concat (json-serialize (list :key key :value value) :null-object :null :false-object :json-false) "\n")
                  nil llmlsp-test-out 'append 'quiet)))

(defun llmlsp-test-wait (what seconds predicate)
  (let ((deadline (+ (float-time) seconds)) result)
    (while (and (not (setq result (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or result (error "Timed out waiting for %s" what))))

(condition-case err
    (progn
      (llmlsp-test-log "version" (format "emacs %s, eglot %s" emacs-version
                                         (or (ignore-errors (package-get-version)) "")))
      (find-file (getenv "LLMLSP_TEST_FILE"))
      (apply #'eglot (eglot--guess-contact))
      (let* ((server (llmlsp-test-wait "the eglot server" 30 #'eglot-current-server))
             (line (string-to-number (getenv "LLMLSP_TEST_LINE"))))
        (llmlsp-test-log "server" (format "%s" (jsonrpc-name server)))
        (goto-char (point-min))
        (forward-line (1- line))
        (end-of-line)
        ;; The request eglot sends for completion-at-point, and the candidates completion-at-point offers.
        (llmlsp-test-log "completion"
                         (jsonrpc-request server :textDocument/completion (eglot--TextDocumentPositionParams)))
        (let* ((capf (eglot-completion-at-point))
               (candidates (all-completions "" (nth 2 capf))))
          (llmlsp-test-log "candidates" (vconcat (mapcar #'substring-no-properties candidates))))
        ;; Custom requests on the same connection.
        (llmlsp-test-log "index" (jsonrpc-request server :workspace/executeCommand
                                                  '(:command "llmlsp.indexFolder" :arguments [])))
        (llmlsp-test-log "search" (jsonrpc-request server :llmlsp/search
                                                   (list :query (getenv "LLMLSP_TEST_QUERY"))))
        (llmlsp-test-log "models" (length (plist-get (jsonrpc-request server :llmlsp/models nil) :models)))
        (eglot-shutdown server)
        (llmlsp-test-log "done" t)))
  (error (llmlsp-test-log "error" (error-message-string err))))
(kill-emacs 0)
