-- CreateTable
CREATE TABLE "HardshipRecord" (
    "householdId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kinds" TEXT NOT NULL,
    "members" TEXT NOT NULL DEFAULT '',
    "notes" TEXT NOT NULL DEFAULT '',
    "updatedById" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AssistanceCase" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "householdId" INTEGER NOT NULL,
    "regionId" INTEGER NOT NULL,
    "need" TEXT NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL,
    "dueAt" DATETIME,
    "reportedById" INTEGER NOT NULL,
    "reportedAt" DATETIME NOT NULL,
    "helper" TEXT,
    "aid" TEXT,
    "amount" TEXT,
    "deliverBy" TEXT,
    "noticeFrom" DATETIME,
    "noticeUntil" DATETIME,
    "deliveredAt" DATETIME,
    "closedAt" DATETIME
);

-- CreateTable
CREATE TABLE "AssistanceEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "caseId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actorId" INTEGER NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "AssistanceCase_regionId_state_idx" ON "AssistanceCase"("regionId", "state");

-- CreateIndex
CREATE INDEX "AssistanceCase_state_dueAt_idx" ON "AssistanceCase"("state", "dueAt");

-- CreateIndex
CREATE INDEX "AssistanceCase_householdId_idx" ON "AssistanceCase"("householdId");

-- CreateIndex
CREATE INDEX "AssistanceEvent_caseId_idx" ON "AssistanceEvent"("caseId");
