-- CreateTable
CREATE TABLE "MediationCase" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "regionId" INTEGER NOT NULL,
    "ticketId" INTEGER,
    "mediatorId" INTEGER,
    "title" TEXT NOT NULL,
    "facts" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "dueOn" TEXT NOT NULL,
    "extensions" INTEGER NOT NULL DEFAULT 0,
    "agreement" TEXT,
    "agreedAt" DATETIME,
    "settledAt" DATETIME,
    "keptFirst" BOOLEAN,
    "keptSecond" BOOLEAN,
    "followUpsReminded" INTEGER NOT NULL DEFAULT 0,
    "referredAt" DATETIME,
    "court" TEXT,
    "referralReason" TEXT,
    "courtOutcome" TEXT,
    "closedAt" DATETIME,
    "openedById" INTEGER NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MediationParty" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "caseId" INTEGER NOT NULL,
    "personId" INTEGER,
    "householdId" INTEGER,
    "name" TEXT NOT NULL,
    "position" TEXT NOT NULL DEFAULT '',
    "answer" TEXT,
    "answeredAt" DATETIME,
    "objection" TEXT
);

-- CreateTable
CREATE TABLE "MediationSession" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "caseId" INTEGER NOT NULL,
    "heldOn" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "attendees" TEXT NOT NULL,
    "notes" TEXT NOT NULL,
    "recordedById" INTEGER NOT NULL,
    "recordedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "MediationCase_ticketId_key" ON "MediationCase"("ticketId");

-- CreateIndex
CREATE INDEX "MediationCase_regionId_status_idx" ON "MediationCase"("regionId", "status");

-- CreateIndex
CREATE INDEX "MediationCase_mediatorId_idx" ON "MediationCase"("mediatorId");

-- CreateIndex
CREATE INDEX "MediationCase_status_settledAt_idx" ON "MediationCase"("status", "settledAt");

-- CreateIndex
CREATE INDEX "MediationParty_caseId_idx" ON "MediationParty"("caseId");

-- CreateIndex
CREATE INDEX "MediationParty_personId_idx" ON "MediationParty"("personId");

-- CreateIndex
CREATE INDEX "MediationSession_caseId_idx" ON "MediationSession"("caseId");
