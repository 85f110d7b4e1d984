-- CreateTable
CREATE TABLE "LedgerCaseLink" (
    "itemId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "caseId" INTEGER NOT NULL,
    "linkedById" INTEGER NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LedgerCaseLink_pkey" PRIMARY KEY ("itemId","kind","caseId")
);

-- CreateIndex
CREATE INDEX "LedgerCaseLink_kind_caseId_idx" ON "LedgerCaseLink"("kind", "caseId");
